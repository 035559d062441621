import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyMessage, withoutApproval } from './classify.js';
import { readEnvelope, type JsonRpcMessage } from './json-rpc.js';

const msg = (value: unknown) => readEnvelope(value) as JsonRpcMessage;
const call = (args: unknown, meta?: unknown) =>
  classifyMessage('infra', msg({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'scale', arguments: args, ...(meta ? { _meta: meta } : {}) } }));

describe('MCP classification', () => {
  it('binds a tool call to its tool and canonical arguments, never to its id or _meta', () => {
    const a = call({ replicas: 20, ns: 'prod' });
    const b = classifyMessage('infra', msg({ jsonrpc: '2.0', id: 'other', method: 'tools/call', params: { name: 'scale', arguments: { ns: 'prod', replicas: 20 }, _meta: { progressToken: 5, 'airlock/approval': 'ap-1' } } }));
    assert.deepEqual(a.bound, b.bound);
    assert.equal(b.presentedApproval, 'ap-1');
    assert.notDeepEqual(call({ replicas: 21, ns: 'prod' }).bound, a.bound);
    assert.deepEqual(a.request, { action: 'tool.call', resource: { type: 'Tool', id: 'infra/scale' }, resourceName: 'infra', context: { tool: 'scale', arguments: { replicas: 20, ns: 'prod' } } });
  });

  it('decides plumbing as mcp.connect, lists as their list action, anything else as mcp.<method>', () => {
    const action = (m: unknown) => classifyMessage('infra', msg(m)).request.action;
    assert.equal(action({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 'x' } } }), 'mcp.connect');
    assert.equal(action({ jsonrpc: '2.0', method: 'notifications/initialized' }), 'mcp.connect');
    assert.equal(action({ jsonrpc: '2.0', id: 3, result: {} }), 'mcp.connect');
    assert.equal(action({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), 'tool.list');
    assert.equal(action({ jsonrpc: '2.0', id: 1, method: 'resources/templates/list' }), 'resource.list');
    assert.equal(action({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///a' } }), 'resource.read');
    assert.equal(action({ jsonrpc: '2.0', id: 1, method: 'completion/complete', params: {} }), 'mcp.completion/complete');
    assert.equal(action({ jsonrpc: '2.0', method: 'notifications/whatever' }), 'mcp.notifications/whatever');
  });

  it('refuses params it cannot read with -32602', () => {
    assert.throws(() => classifyMessage('infra', msg({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: '' } })), (e: Error & { details?: { rpc?: number } }) => e.details?.rpc === -32602);
    assert.throws(() => call([1, 2]));
  });

  it('takes the approval id out of what the server receives, and nothing else', () => {
    const m = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 's', arguments: {}, _meta: { 'airlock/approval': 'x', progressToken: 1 } } };
    assert.deepEqual(withoutApproval(m), { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 's', arguments: {}, _meta: { progressToken: 1 } } });
    assert.equal(withoutApproval({ jsonrpc: '2.0', id: 1, method: 'ping' }).method, 'ping');
  });
});
