import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bundleFromFiles, createEngine } from '../../decide/index.js';
import { createLogger } from '../../lib/logger.js';
import type { ActionRequest } from '../../model/action-request.js';
import type { Principal } from '../../model/principal.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { filterList } from './list-filter.js';
import { ToolPins } from './pins/tool-pins.js';
import { toolCallRequest } from './classify.js';

const agent: Principal = { type: 'Agent', id: 'bot', groups: ['agents'], mfa: false, mfaAge: 1e9, authMethod: 'api_key' };

function setup(policies: string) {
  const engine = createEngine(bundleFromFiles({ 'p.cedar': policies }));
  const pins = new ToolPins({ store: openSqliteStore(':memory:').toolPins, bundlePins: () => ({}), record: () => {}, alert: () => {}, log: createLogger('silent') });
  const decide = (request: ActionRequest) =>
    engine.decide({ principal: agent, request, context: { ...request.context } });
  return { engine, pins, deps: { resource: 'infra', pins, decide } };
}

const tool = (name: string, description = `does ${name}`) => ({ name, description, inputSchema: { type: 'object' } });
const names = (r: Record<string, unknown>) => (r['tools'] as { name: string }[]).map((t) => t.name);

describe('filtered tools/list', () => {
  it('shows tools a permit allows outright, with obligations, or depending on arguments; hides the rest', async () => {
    const { deps } = setup(`
      permit (principal in Group::"agents", action == Action::"tool.call", resource == Tool::"infra/read_logs");
      @approval("sre") permit (principal in Group::"agents", action == Action::"tool.call", resource == Tool::"infra/scale") when { context.arguments.replicas > 10 };
      permit (principal in Group::"agents", action == Action::"tool.call", resource == Tool::"infra/scale") when { context.arguments has replicas && context.arguments.replicas <= 10 };
      forbid (principal, action, resource == Tool::"infra/export") when { context has arguments && context.arguments has to && context.arguments.to == "public" };
      permit (principal in Group::"agents", action == Action::"tool.call", resource in Resource::"infra");
      forbid (principal, action, resource == Tool::"infra/drop_db");
    `);
    const r = await filterList('tools', { tools: [tool('read_logs'), tool('scale'), tool('drop_db'), tool('export'), 'junk', { name: 7 }], nextCursor: 'c2' }, deps);
    assert.deepEqual(names(r.result), ['read_logs', 'scale', 'export']);
    assert.equal(r.result['nextCursor'], 'c2');
    assert.deepEqual([r.shown, r.hidden], [3, 3]);
  });

  it('hides everything when the list is not a list', async () => {
    const { deps } = setup(`permit (principal, action, resource);`);
    assert.deepEqual((await filterList('tools', { tools: { name: 'x' } }, deps)).result['tools'], []);
  });

  it('never shows a tool whose call the caller may not make, nor one whose definition changed', async () => {
    const toolNames = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(toolNames, fc.func(fc.boolean()), fc.func(fc.boolean()), async (all, allowed, changed) => {
        const permitted = all.filter((n) => allowed(n));
        const policy = permitted.map((n) => `permit (principal, action == Action::"tool.call", resource == Tool::"infra/${n}");`).join('\n') || '// none';
        const { deps, engine } = setup(policy);
        await filterList('tools', { tools: all.map((n) => tool(n)) }, deps);
        const shown = names((await filterList('tools', { tools: all.map((n) => (changed(n) ? tool(n, 'changed!') : tool(n))) }, deps)).result);
        for (const n of shown) {
          assert.notEqual(engine.decide({ principal: agent, request: toolCallRequest('infra', n, undefined), context: { tool: n } }).effect, 'deny');
          assert.equal((await deps.pins.check('infra', n)).trusted, true);
        }
        assert.deepEqual(shown, all.filter((n) => allowed(n) && !changed(n)));
      }),
      { numRuns: 60 },
    );
  });
});
