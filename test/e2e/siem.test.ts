// SIEM export through a real gateway: a signed webhook receiver and a JSON Lines file both get
// every record, in seq order, byte for byte as `airlock audit export` prints them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { verifyWebhook } from '../../src/lib/webhook-signature.js';
import { runCli, startAirlock } from '../support/airlock-process.js';

describe('SIEM sinks', () => {
  it('deliver every record to a webhook and a file, in order and signed', async () => {
    const received: string[] = [];
    let badSignatures = 0;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!verifyWebhook('siem-secret', body, String(req.headers['airlock-signature']))) badSignatures++;
        for (const r of JSON.parse(body) as unknown[]) received.push(JSON.stringify(r));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ingest`;
    const airlock = await startAirlock({
      policies: { 'p.cedar': 'forbid (principal, action, resource);' },
      resources: [{ name: 'api', type: 'http', upstream: 'http://127.0.0.1:1' }],
      config: {
        audit: {
          signing_key_file: './data/audit.key',
          origin: 'test.airlock.local/audit',
          sinks: [
            { type: 'webhook', url, secret: '${SIEM_SECRET}' },
            { type: 'file', path: './data/siem.jsonl' },
          ],
        },
      },
      env: { SIEM_SECRET: 'siem-secret' },
    });
    const token = await airlock.token({ sub: 'x' });
    for (let i = 0; i < 10; i++) await fetch(`${airlock.dataUrl}/api/${i}`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 50 && received.length < 11; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await airlock.stop(), 0);
    const exported = (await runCli(['audit', 'export', '--config', airlock.configFile], { env: { SIEM_SECRET: 'siem-secret' } })).stdout.trim().split('\n');
    const file = (await readFile(path.join(airlock.dir, 'data/siem.jsonl'), 'utf8')).trim().split('\n');
    receiver.close();
    assert.equal(badSignatures, 0);
    assert.deepEqual(file, exported.slice(0, file.length), 'file lines are the exact records');
    assert.ok(file.length >= 11);
    const seqs = received.map((r) => (JSON.parse(r) as { seq: number }).seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.ok(new Set(seqs).size >= 11);
  });
});
