// What commands that wait for an approval share (`gate`, `run`): `--wait` and `--poll` read once
// (a bad duration is a usage error, exit 2), and a pause that never overshoots the deadline.
import { parseDuration } from './shared.js';

export interface Waiting {
  readonly deadline: number;
  /** Resolves after one poll interval, or at the deadline if that comes first. */
  pause(): Promise<void>;
  expired(): boolean;
}

export function startWaiting(opts: { readonly wait: string; readonly poll: string }): Waiting {
  let waitMs = 0;
  let pollMs = 0;
  try {
    waitMs = parseDuration(opts.wait);
    pollMs = parseDuration(opts.poll);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const deadline = Date.now() + waitMs;
  return {
    deadline,
    expired: () => Date.now() >= deadline,
    pause: () => new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now())))),
  };
}
