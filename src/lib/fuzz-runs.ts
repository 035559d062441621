// How many cases a fuzz test tries: a bounded count in `npm test` (CI), many more under
// `npm run fuzz` (AIRLOCK_FUZZ_RUNS), so the same properties serve both.
export function fuzzRuns(bounded: number): number {
  const asked = Number(process.env.AIRLOCK_FUZZ_RUNS);
  return Number.isInteger(asked) && asked > 0 ? asked : bounded;
}
