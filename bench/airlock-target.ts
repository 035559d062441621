// The gateway under test: a real `airlock serve` with every stage on (OIDC bearer auth, a Cedar
// policy, strict durable audit on SQLite) in front of the shared upstream, plus a token for it.
import { startAirlock, type RunningAirlock } from '../test/support/airlock-process.js';
import { track } from './processes.js';

const POLICY = `
@id("bench-ml-eng-invoke")
permit (
  principal in Group::"ml-eng",
  action == Action::"model.invoke",
  resource in Resource::"llm"
);
`;

export interface AirlockTarget {
  readonly airlock: RunningAirlock;
  /** The chat completions URL through the gateway. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly pid: number;
}

export interface AirlockTargetOptions {
  /** Adds to the gateway's environment (e.g. NODE_OPTIONS=--cpu-prof for profiling). */
  readonly env?: Record<string, string>;
  /** Runs another checkout's gateway instead of this one. */
  readonly bin?: string;
  /** 'async' records every decision but forwards without waiting for its commit. */
  readonly auditMode?: 'strict' | 'async';
  /** Gateway processes sharing the port (`workers:`). */
  readonly workers?: number;
}

export async function startAirlockTarget(upstreamUrl: string, { env = {}, bin, auditMode = 'strict', workers = 1 }: AirlockTargetOptions = {}): Promise<AirlockTarget> {
  const airlock = await startAirlock({
    ...(bin ? { bin } : {}),
    policies: { 'bench.cedar': POLICY },
    resources: [{ name: 'llm', type: 'openai', upstream: upstreamUrl }],
    // `workers` only when asked for: an older checkout compared with ab.ts may not know the key.
    config: { ...(workers === 1 ? {} : { workers }), audit: { mode: auditMode, signing_key_file: './data/audit.key', origin: 'bench.airlock.local/audit' } },
    // Not `warn`: the helper finds the gateway's URLs in its info-level "listening" line. Nothing
    // on the request path logs below error level, so this costs the requests nothing.
    env: { AIRLOCK_LOG_LEVEL: 'info', ...env },
  });
  track(airlock.proc);
  const token = await airlock.token({ sub: 'bench-user', groups: ['ml-eng'], ttlSeconds: 3600 });
  return {
    airlock,
    url: `${airlock.dataUrl}/llm/v1/chat/completions`,
    headers: { authorization: `Bearer ${token}` },
    pid: airlock.proc.pid!,
  };
}
