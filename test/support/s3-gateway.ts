// A gateway fronting an s3rver store with the datasets and policies of the README's walk-through
// (examples/datasets): `train/public/` readable by trainers, `train/pii/` readable after a data
// steward's approval and never copied out, `train/scratch/` writable. S3 keys are made with the
// real CLI.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { REPO, runCli, startAirlock, type RunningAirlock } from './airlock-process.js';
import { startS3Store, STORE_CREDENTIALS, type TestStore } from './s3-store.js';

/** The walk-through's own bundle (examples/datasets/policies), so the example is what the tests run. */
const EXAMPLE = path.join(REPO, 'examples/datasets/policies');
export const DATASET_POLICIES = Object.fromEntries(readdirSync(EXAMPLE).filter((f) => f.endsWith('.cedar')).map((f) => [f, readFileSync(path.join(EXAMPLE, f), 'utf8')]));

export interface S3Gateway {
  readonly airlock: RunningAirlock;
  readonly store: TestStore;
  /** `http://<listen>/data`: the endpoint S3 clients use. */
  readonly endpoint: string;
  createKey(agent: string, groups: string): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  client(creds: { accessKeyId: string; secretAccessKey: string }, extra?: Partial<ConstructorParameters<typeof S3Client>[0]>): S3Client;
  close(): Promise<void>;
}

export async function startS3Gateway(opts: { upstream?: string; config?: Record<string, unknown>; policies?: Record<string, string> } = {}): Promise<S3Gateway> {
  const store = await startS3Store(['train', 'exports']);
  const airlock = await startAirlock({
    policies: { ...DATASET_POLICIES, ...opts.policies },
    resources: [
      {
        name: 'data',
        type: 's3',
        upstream: opts.upstream ?? store.url,
        inject: { aws: STORE_CREDENTIALS },
        datasets: [
          { bucket: 'train', prefix: 'public/', attributes: { sensitivity: 'public' } },
          { bucket: 'train', prefix: 'pii/', attributes: { sensitivity: 'pii', owner: 'risk-team' } },
          { bucket: 'train', prefix: 'scratch/' },
        ],
      },
    ],
    config: opts.config,
  });
  const endpoint = `${airlock.dataUrl}/data`;
  const clients: S3Client[] = [];
  return {
    airlock,
    store,
    endpoint,
    async createKey(agent, groups) {
      const out = await runCli(['keys', 'create', '--agent', agent, '--groups', groups, '--s3', '--config', airlock.configFile]);
      const id = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(out.stdout)?.[1];
      const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(out.stdout)?.[1];
      if (out.code !== 0 || !id || !secret) throw new Error(`keys create --s3 failed: ${out.stderr}`);
      return { accessKeyId: id, secretAccessKey: secret };
    },
    client(creds, extra = {}) {
      const c = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: creds, maxAttempts: 1, ...extra });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await airlock.stop();
      await store.close();
    },
  };
}
