import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bundleFromFiles, createEngine } from '../decide/index.js';
import type { Decision, Effect } from '../model/decision.js';
import type { Principal } from '../model/principal.js';
import { combineDecisions, decideDelegated } from './delegation.js';

const alice: Principal = { type: 'User', id: 'alice', groups: ['sre'], mfa: false, mfaAge: 1e9, authMethod: 'oidc' };
const agent: Principal = { type: 'Agent', id: 'copilot', groups: ['agents'], mfa: false, mfaAge: 1e9, authMethod: 'api_key', onBehalfOf: alice };
const decision = (effect: Effect, over: Partial<Decision> = {}): Decision => ({ effect, policies: [effect], reasons: [effect], obligations: {}, policyVersion: 'v', ...over });

describe('delegated decisions', () => {
  it('allows only what both the agent and the person it acts for may do', () => {
    const engine = createEngine(
      bundleFromFiles({
        'p.cedar': `
          permit (principal in Group::"agents", action == Action::"tool.call", resource);
          permit (principal == User::"alice", action == Action::"tool.call", resource == Tool::"infra/read_logs");
          @approval("leads") permit (principal == User::"alice", action == Action::"tool.call", resource == Tool::"infra/scale");
        `,
      }),
    );
    const decide = (tool: string) =>
      decideDelegated(agent, (p) => engine.decide({ principal: p, request: { action: 'tool.call', resource: { type: 'Tool', id: `infra/${tool}` }, resourceName: 'infra', context: {} }, context: {} }));
    assert.equal(decide('read_logs').effect, 'allow');
    const scale = decide('scale');
    assert.equal(scale.effect, 'approval_required');
    assert.deepEqual(scale.obligations.approval, { groups: ['leads'], quorum: 1, requirements: [{ groups: ['leads'], quorum: 1 }] });
    const drop = decide('drop');
    assert.equal(drop.effect, 'deny');
    assert.ok(drop.reasons.some((r) => r.startsWith('on behalf of User::"alice": no permit matched')));
    assert.equal(decideDelegated({ ...agent, groups: [] }, (p) => engine.decide({ principal: p, request: { action: 'tool.call', resource: { type: 'Tool', id: 'infra/read_logs' }, resourceName: 'infra', context: {} }, context: {} })).effect, 'deny');
  });

  it('takes the more restrictive effect and the obligations of both, whatever the order', () => {
    const effects = fc.constantFrom<Effect>('allow', 'approval_required', 'mfa_required', 'deny');
    fc.assert(
      fc.property(effects, effects, (a, b) => {
        const rank = ['allow', 'approval_required', 'mfa_required', 'deny'];
        const x = decision(a, a === 'deny' ? {} : { obligations: { approval: { groups: ['g1'], quorum: 1, requirements: [{ groups: ['g1'], quorum: 1 }] }, mfa: { maxAge: 600 } } });
        const y = decision(b, b === 'deny' ? {} : { obligations: { approval: { groups: ['g2'], quorum: 2, requirements: [{ groups: ['g2'], quorum: 2 }] }, mfa: { maxAge: 300 } } });
        const c = combineDecisions(x, y, alice);
        assert.equal(rank.indexOf(c.effect), Math.max(rank.indexOf(a), rank.indexOf(b)));
        if (c.effect !== 'deny') {
          const groups = [...(a === 'deny' ? [] : ['g1']), ...(b === 'deny' ? [] : ['g2'])];
          assert.deepEqual(c.obligations.approval?.groups, groups);
          // Each principal's requirement stands on its own: both must be met.
          assert.equal(c.obligations.approval?.quorum, (a === 'deny' ? 0 : 1) + (b === 'deny' ? 0 : 2));
        }
      }),
    );
  });
});
