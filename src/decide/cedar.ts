// Decide stage: the one door to the Cedar engine (cedar-wasm). Every decide module imports
// Cedar from here, so the guard below is in place before any Cedar call runs hot.
//
// Why the V8 flag: Node 20's V8 inlines JS->Wasm calls into optimised callers. Cedar's glue
// builds its answers by calling back into JS from inside Wasm; when one of those callbacks
// changes an object shape, V8 lazily deoptimises the caller while it sits inside the inlined
// Wasm call, and that deoptimisation hits a fatal "unreachable code" in V8 (seen here while
// loading a 5,000-policy bundle: about one start in three crashed the process). Turning the
// inlining off costs nanoseconds per call and removes the crash. The flag only steers the
// optimising compiler, so setting it at run time before the first hot call is safe.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-turbo-inline-js-wasm-calls');

export {
  checkParseEntities,
  checkParseSchema,
  isAuthorized,
  policySetTextToParts,
  policyToJson,
  preparsePolicySet,
  schemaToJson,
  statefulIsAuthorized,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
export type {
  AuthorizationAnswer,
  DetailedError,
  EntityJson,
  PolicyJson,
} from '@cedar-policy/cedar-wasm/nodejs';
