// Durable audit appends per second: many concurrent appenders (as many requests in flight would
// be), each awaiting `AuditWriter.append()`, which resolves only once its batch is committed to
// SQLite (WAL). This is what strict mode costs the request path: the group commit's throughput
// and the wait for one's own batch.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditWriter } from '../src/audit/writer.js';
import { workerAppender } from '../src/audit/append/worker-appender.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { percentile } from './load.js';

export interface AuditResult {
  readonly appenders: number;
  readonly records: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRecord: number;
}

/** About 300 bytes once serialised, the size of a real decision record. */
function entry(i: number) {
  return {
    kind: 'bench',
    time: new Date().toISOString(),
    request_id: randomUUID(),
    principal: { type: 'User', id: `user-${i % 500}`, groups: ['ml-eng'] },
    action: 'model.invoke',
    resource: 'Model::"llm/gpt-4o-mini"',
    decision: 'allow',
    policies: ['ml-eng-small-models'],
    policy_version: '9f2c1e7a4b3d5f60',
    context: { model: 'gpt-4o-mini', stream: false, method: 'POST' },
  };
}

export async function benchAudit(seconds: number, appenders = 2000): Promise<AuditResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'airlock-bench-audit-'));
  const store = openSqliteStore(path.join(dir, 'audit.db'));
  const writer = new AuditWriter(workerAppender(`sqlite:${path.join(dir, 'audit.db')}`, dir));
  try {
    await writer.append(entry(0)); // schema and first page in place before timing
    const latencies: number[] = [];
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const deadline = started + seconds * 1000;
    let n = 0;
    const appender = async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await writer.append(entry(n++));
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: appenders }, appender));
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    latencies.sort((a, b) => a - b);
    return {
      appenders,
      records: latencies.length,
      perSecond: latencies.length / elapsedS,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      cpuUsPerRecord: (cpu.user + cpu.system) / latencies.length,
    };
  } finally {
    await writer.flush();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
