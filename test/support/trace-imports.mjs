// `node --import ./trace-imports.mjs ...`: appends every module URL the process loads to the file
// named by AIRLOCK_TRACE_IMPORTS, one a line, so a test can see what a command pulls in.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      let file;
      export function initialize(data) { file = data.file; }
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        appendFileSync(file, result.url + '\\n');
        return result;
      }
    `),
  { data: { file: process.env.AIRLOCK_TRACE_IMPORTS } },
);
