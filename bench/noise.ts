// How busy the machine was with work that is not the benchmark's (other test runs, builds) while
// a measurement ran. On 2 cores, one busy neighbour is enough to halve a result, so every row
// says how much foreign CPU it shared the machine with rather than leaving that invisible.
import { cpuMicros, machineBusyMicros } from './cpu.js';
import { childPids } from './processes.js';

/** CPU so far of this process and of each live child, by pid. */
function ourMicros(): Map<number, number> {
  const self = process.cpuUsage();
  const out = new Map<number, number>([[process.pid, self.user + self.system]]);
  for (const pid of childPids()) {
    try {
      out.set(pid, cpuMicros(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Starts measuring; the returned function gives the other processes' CPU in cores (0 to 2).
 * Our share is summed per pid over the processes alive at both ends, so a child that exits
 * meanwhile does not take its whole lifetime's CPU out of the sum.
 */
export function startNoiseMeter(): () => number {
  const machine0 = machineBusyMicros();
  const ours0 = ourMicros();
  const t0 = performance.now();
  return () => {
    const elapsedUs = (performance.now() - t0) * 1000;
    let ours = 0;
    for (const [pid, end] of ourMicros()) ours += end - (ours0.get(pid) ?? 0);
    return Math.max(0, (machineBusyMicros() - machine0 - ours) / elapsedUs);
  };
}
