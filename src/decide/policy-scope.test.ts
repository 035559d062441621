import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyToJson, type PolicyJson } from './cedar.js';
import { actionScope, contextKeys } from './policy-scope.js';

function json(text: string): PolicyJson {
  const r = policyToJson(text);
  assert.equal(r.type, 'success');
  return (r as { json: PolicyJson }).json;
}

describe('actionScope', () => {
  it('reads ==, in [..] and unconstrained scopes', () => {
    assert.deepEqual(actionScope(json('permit (principal, action, resource);')), { all: true });
    assert.deepEqual(actionScope(json('permit (principal, action == Action::"a", resource);')), { all: false, ids: ['a'] });
    assert.deepEqual(actionScope(json('permit (principal, action in [Action::"a", Action::"g"], resource);')), { all: false, ids: ['a', 'g'] });
    assert.deepEqual(actionScope(json('permit (principal, action in Action::"g", resource);')), { all: false, ids: ['g'] });
  });

  it('drops namespaced actions, which no gateway request can be', () => {
    assert.deepEqual(actionScope(json('permit (principal, action == NS::Action::"a", resource);')), { all: false, ids: [] });
  });
});

describe('contextKeys', () => {
  it('finds attribute reads and has-tests on the context', () => {
    const p = json('permit (principal, action, resource) when { context.model == "x" && context has stream && context["max tokens"] < 5 } unless { context has a.b };');
    assert.deepEqual(contextKeys(p), ['a', 'max tokens', 'model', 'stream']);
  });

  it('finds reads inside extension calls and sets', () => {
    const p = json('permit (principal, action, resource) when { context.source_ip.isInRange(ip("10.0.0.0/8")) && [context.x].contains(1) };');
    assert.deepEqual(contextKeys(p), ['source_ip', 'x']);
  });

  it('keys on the whole context when a policy uses it as a value', () => {
    assert.equal(contextKeys(json('permit (principal, action, resource) when { context == {} };')), 'all');
    assert.equal(contextKeys(json('permit (principal, action, resource) when { {"c": context}.c.x == 1 };')), 'all');
  });

  it('reports no keys for a policy without conditions', () => {
    assert.deepEqual(contextKeys(json('permit (principal, action, resource);')), []);
  });
});
