import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.js';

const opts = { initialMs: 250, maxMs: 30_000 };

test('doubles the delay per consecutive failure', () => {
  assert.equal(backoffDelay(1, opts, () => 1), 250);
  assert.equal(backoffDelay(2, opts, () => 1), 500);
  assert.equal(backoffDelay(5, opts, () => 1), 4000);
});

test('never exceeds the cap, however many failures', () => {
  assert.equal(backoffDelay(1_000, opts, () => 1), 30_000);
});

test('jitters within the upper half, never to zero', () => {
  assert.equal(backoffDelay(3, opts, () => 0), 500);
  assert.equal(backoffDelay(3, opts, () => 0.5), 750);
});
