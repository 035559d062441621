// `npx tsx bench/s3-only.ts`: the datasets rows of `npm run bench` alone (BENCH_SECONDS per case, default 10).
import { killAll } from './processes.js';
import { renderTable } from './report.js';
import { benchS3 } from './s3.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
benchS3(seconds, (line) => process.stderr.write(`bench: ${line}\n`))
  .then(({ rows, checks }) => {
    process.stdout.write(`${renderTable(rows, checks)}\n`);
    killAll();
    process.exit(0);
  })
  .catch((err: unknown) => {
    killAll();
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
