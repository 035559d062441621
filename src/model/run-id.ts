// A pipeline run's id, as runs name themselves (`Airlock-Run-Id`, a `run_id` claim, a gate's
// `run_id`): `Run::"<id>"` in the access map and in lineage.
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,127}$/;

export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && RUN_ID.test(value);
}

export const RUN_ID_RULE = 'letters, digits and . _ : / - (up to 128, starting with a letter or digit)';
