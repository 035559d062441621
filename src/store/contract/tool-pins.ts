// The ToolPinStore contract: a first sight is stored once, a change is reported once however
// often (and by however many replicas) it is seen, and acceptance takes exactly the digest the
// reviewer saw.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { ToolPin } from '../ports.js';
import { HOUR, T, iso, type StoreTest } from './harness.js';

const d = (c: string) => c.repeat(64);
const pin = (tool: string, over: Partial<ToolPin> = {}): ToolPin => ({
  resource: 'infra', tool, digest: d('a'), pending_digest: null, pending_definition: null,
  first_seen_at: iso(T), changed_at: null, accepted_at: null, accepted_by: null, ...over,
});

export function toolPinsContract(test: StoreTest): void {
  describe('tool pins', () => {
    test('keeps the first pin of a tool and hands it back to a later insert', async (s, r) => {
      assert.deepEqual(await s.toolPins.insertToolPin(pin('scale')), pin('scale'));
      assert.deepEqual(await r.toolPins.insertToolPin(pin('scale', { digest: d('b') })), pin('scale'));
      await s.toolPins.insertToolPin(pin('logs', { resource: 'other' }));
      assert.deepEqual((await r.toolPins.listToolPins()).map((p) => `${p.resource}/${p.tool}`), ['infra/scale', 'other/logs']);
      assert.deepEqual((await r.toolPins.listToolPins('infra')).map((p) => p.tool), ['scale']);
    });

    test('reports a change once, whichever replica sees it again', async (s, r) => {
      await s.toolPins.insertToolPin(pin('scale'));
      const def = { name: 'scale', description: 'now also deletes ü', inputSchema: { type: 'object' } };
      const first = await s.toolPins.markToolPinChanged('infra', 'scale', d('b'), def, T + 1);
      assert.equal(first?.changed, true);
      assert.deepEqual(first?.pin, pin('scale', { pending_digest: d('b'), pending_definition: def, changed_at: iso(T + 1) }));
      assert.equal((await r.toolPins.markToolPinChanged('infra', 'scale', d('b'), def, T + 2))?.changed, false);
      assert.equal((await r.toolPins.markToolPinChanged('infra', 'scale', d('c'), def, T + 3))?.changed, true, 'another definition is another change');
      assert.equal(await s.toolPins.markToolPinChanged('infra', 'unknown', d('b'), def, T), undefined);
    });

    test('accepts only the pending digest the reviewer saw, once', async (s, r) => {
      await s.toolPins.insertToolPin(pin('scale'));
      await s.toolPins.markToolPinChanged('infra', 'scale', d('b'), { name: 'scale' }, T + 1);
      assert.equal(await r.toolPins.acceptToolPin('infra', 'scale', d('c'), 'User::"lee"', T + HOUR), undefined);
      const accepted = await r.toolPins.acceptToolPin('infra', 'scale', d('b'), 'User::"lee"', T + HOUR);
      assert.deepEqual(accepted, pin('scale', { digest: d('b'), changed_at: iso(T + 1), accepted_at: iso(T + HOUR), accepted_by: 'User::"lee"' }));
      assert.equal(await s.toolPins.acceptToolPin('infra', 'scale', d('b'), 'User::"lee"', T + HOUR), undefined, 'nothing pending any more');
    });

    test('drops a pending change when the server shows a trusted definition again', async (s) => {
      await s.toolPins.insertToolPin(pin('scale', { digest: null, pending_digest: d('b'), pending_definition: { name: 'scale' }, changed_at: iso(T) }));
      const cleared = await s.toolPins.clearToolPinChange('infra', 'scale');
      assert.equal(cleared?.pending_digest, null);
      assert.equal(cleared?.pending_definition, null);
      assert.equal(cleared?.digest, null);
    });
  });
}
