// Worker threads do not inherit the TypeScript loader of the main thread: when the gateway runs
// from its sources (tests, tsx), register the loader here, then load the worker itself. The
// compiled gateway starts dist/audit/append/worker-main.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
