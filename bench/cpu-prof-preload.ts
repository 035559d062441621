// Preloaded into the gateway by bench/profile.ts (NODE_OPTIONS=--import ...), because Node 20
// refuses --cpu-prof in NODE_OPTIONS and the test helper owns the gateway's command line.
// Starts V8's sampling profiler at once and writes a .cpuprofile into CPU_PROF_DIR at exit.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  // The main-thread session answers synchronously, so this completes inside the exit handler.
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `airlock-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
