// The verifiable log at scale: a SQLite store filled with N records (default 1,000,000, env
// BENCH_LOG_RECORDS) through the real append path, then inclusion and consistency proofs read
// from the stored nodes (p50/p99 of each), and `airlock audit verify` over the whole log, timed as
// the command an auditor runs.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Checkpointer } from '../src/audit/checkpointer.js';
import { consistencyProof, inclusionProof, loadOrCreateSigningKey, type NodeReader } from '../src/audit/log/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { AIRLOCK_BIN } from '../test/support/airlock-process.js';
import { percentile } from './load.js';

export interface AuditLogBench {
  readonly records: number;
  readonly fillPerSecond: number;
  readonly inclusionP50Ms: number;
  readonly inclusionP99Ms: number;
  readonly consistencyP50Ms: number;
  readonly consistencyP99Ms: number;
  readonly verifySeconds: number;
  readonly verifyOk: boolean;
}

const BATCH = 1000;

function record(i: number) {
  return {
    kind: 'decision',
    time: new Date().toISOString(),
    request_id: randomUUID(),
    principal: { type: 'User', id: `user-${i % 997}`, groups: ['ml-eng'] },
    action: 'model.invoke',
    resource: 'Model::"llm/gpt-4o-mini"',
    decision: i % 7 ? 'allow' : 'deny',
    policies: ['ml-eng-small-models'],
    policy_version: '5766b5d61528141569',
    context: { model: 'gpt-4o-mini', stream: false, method: 'POST', path: '/v1/chat/completions' },
  };
}

async function time(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

export async function benchAuditLog(records = Number(process.env.BENCH_LOG_RECORDS ?? 1_000_000)): Promise<AuditLogBench> {
  const dir = await mkdtemp(path.join(tmpdir(), 'airlock-bench-log-'));
  const store = openSqliteStore(path.join(dir, 'data/airlock.db'));
  try {
    const fillStart = performance.now();
    for (let i = 0; i < records; i += BATCH) {
      await store.audit.appendAudit(Array.from({ length: Math.min(BATCH, records - i) }, (_, j) => record(i + j)));
    }
    const fillPerSecond = records / ((performance.now() - fillStart) / 1000);
    const origin = 'bench.airlock.local/audit';
    const key = await loadOrCreateSigningKey(path.join(dir, 'data/audit.key'));
    await new Checkpointer(store.audit, { origin, key }).checkpoint();

    const reader: NodeReader = { getNodes: (keys) => store.audit.readNodes(keys) };
    const rand = (n: number) => Math.floor(Math.random() * n);
    const inclusion = await time(() => inclusionProof(rand(records), records, reader, records), 2000);
    const consistency = await time(() => consistencyProof(1 + rand(records - 1), records, reader, records), 2000);
    await store.close();

    const config = path.join(dir, 'airlock.yaml');
    await writeFile(config, `store: "sqlite:./data/airlock.db"\naudit:\n  signing_key_file: "./data/audit.key"\n  origin: "${origin}"\n`);
    const verifyStart = performance.now();
    const verify = spawnSync(process.execPath, [AIRLOCK_BIN, 'audit', 'verify', '--config', config], { encoding: 'utf8' });
    const verifySeconds = (performance.now() - verifyStart) / 1000;
    return {
      records,
      fillPerSecond,
      inclusionP50Ms: percentile(inclusion, 0.5),
      inclusionP99Ms: percentile(inclusion, 0.99),
      consistencyP50Ms: percentile(consistency, 0.5),
      consistencyP99Ms: percentile(consistency, 0.99),
      verifySeconds,
      verifyOk: verify.status === 0,
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchAuditLog(Number(process.argv[2] ?? 1_000_000)));
}
