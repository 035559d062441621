// Decide stage: public API. Load a bundle, build an engine, decide; policy tests for the CLI.
export { loadBundle, bundleFromFiles, bundleSummary } from './bundle.js';
export { createEngine, type EngineOptions } from './engine.js';
export { commonContext, GATEWAY_CONTEXT_KEYS, ipValue, type CommonContextInput } from './context.js';
export { runPolicyTests, loadPolicyTests, type PolicyTestReport, type PolicyTestResult } from './policy-tests.js';
export type { PolicyTestCase } from './policy-test-cases.js';
export type {
  BundlePolicy,
  BundleSummary,
  DecideInput,
  PolicyBundle,
  PolicyEngine,
  PolicyObligations,
} from './types.js';
export { PINS_FILE } from './bundle-files.js';
export type { BundlePins } from './pins-file.js';
