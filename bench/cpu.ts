// CPU time of a process under test, from /proc/<pid>/stat: user + system time of all its threads
// (the event loop, libuv's pool, GC and JIT helpers), plus any descendant processes, so a wrapper
// process could not hide the real server's CPU.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one /proc stat file (a process, or one thread under /proc/<pid>/task). */
function statTicks(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // The command name (field 2) may hold spaces; fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(' ').map(Number));
    } catch {
      // the thread ended while we looked
    }
  }
  return out;
}

/** Microseconds of CPU used so far by `pid` and its live descendants. */
export function cpuMicros(pid: number): number {
  let ticks = 0;
  const queue = [pid];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    try {
      ticks += statTicks(`/proc/${p}/stat`);
      queue.push(...childPids(p));
    } catch {
      // a descendant exited between listing and reading
    }
  }
  return (ticks * 1e6) / TICKS_PER_SECOND;
}

/** Microseconds of CPU used so far by each thread of `pid`, by thread id. */
export function threadCpuMicros(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, (statTicks(`/proc/${pid}/task/${tid}/stat`) * 1e6) / TICKS_PER_SECOND);
    } catch {
      // the thread ended while we looked
    }
  }
  return out;
}

/** Microseconds of CPU the whole machine has spent busy (all cores, every process). */
export function machineBusyMicros(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1e6) / TICKS_PER_SECOND;
}
