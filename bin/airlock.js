#!/usr/bin/env node
// Entry point: the compiled CLI (`npm run build` writes dist/; `npm ci` and `npm pack` build it).
// No TypeScript loader runs here, so a command starts in the time node takes to load what it uses.
const main = new URL('../dist/cli/main.js', import.meta.url);
try {
  await import(main.href);
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && err.url === main.href) {
    process.stderr.write('airlock: dist/ is missing; run `npm run build` in the package directory\n');
    process.exit(1);
  }
  throw err;
}
