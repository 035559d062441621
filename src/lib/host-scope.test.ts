import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost, isPublicHost } from './host-scope.js';

describe('host scope', () => {
  it('knows loopback addresses and names', () => {
    for (const h of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost', 'api.localhost', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['0.0.0.0', '', '::', '10.0.0.1', 'example.com', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
  });

  it('takes public addresses and dotted names outside site suffixes as public', () => {
    for (const h of ['8.8.8.8', 'api.openai.com', '[2001:4860::8888]', 'models.example.com.']) assert.equal(isPublicHost(h), true, h);
  });

  it('takes private, link-local, site-local and single-label hosts as not public', () => {
    const local = ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', 'fd00::1', '[fe80::1]', 'ollama', 'vllm.ml.svc', 'db.internal', 'printer.local', 'x.svc.cluster.local', 'localhost', '127.0.0.1'];
    for (const h of local) assert.equal(isPublicHost(h), false, h);
  });
});
