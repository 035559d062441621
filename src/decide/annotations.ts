// Decide stage, bundle loading: reads the obligation annotations of one policy.
// A malformed obligation is a load error rather than "no obligation": silently dropping
// `@quorum("two")` would let a request through with fewer approvers than the author meant.
import type { PolicyObligations } from './types.js';

const OBLIGATION_KEYS = ['approval', 'quorum', 'mfa', 'mfa_max_age'] as const;
const GROUP_ID = /^[^,\s"]+$/;

/** Parsed obligations, or the list of problems (each without the file prefix). */
export function parseObligations(
  effect: 'permit' | 'forbid',
  annotations: Readonly<Record<string, string>>,
): { obligations: PolicyObligations; problems: string[] } {
  const problems: string[] = [];
  const present = OBLIGATION_KEYS.filter((k) => annotations[k] !== undefined);
  if (effect === 'forbid') {
    if (present.length > 0) problems.push(`@${present.join(', @')} on a forbid policy has no effect; obligations belong on permits`);
    return { obligations: {}, problems };
  }
  const out: { -readonly [K in keyof PolicyObligations]: PolicyObligations[K] } = {};
  const approval = annotations['approval'];
  if (approval !== undefined) {
    const groups = approval.split(',').map((g) => g.trim());
    if (groups.some((g) => !GROUP_ID.test(g))) problems.push(`@approval("${approval}"): expected comma-separated group ids`);
    else out.approvalGroups = [...new Set(groups)];
  }
  const quorum = annotations['quorum'];
  if (quorum !== undefined) {
    if (approval === undefined) problems.push('@quorum needs @approval');
    const n = positiveInt(quorum);
    if (n === undefined || n < 1) problems.push(`@quorum("${quorum}"): expected a whole number of approvers, at least 1`);
    else out.quorum = n;
  }
  const mfa = annotations['mfa'];
  if (mfa !== undefined) {
    if (mfa !== 'required') problems.push(`@mfa("${mfa}"): the only accepted value is "required"`);
    else out.mfa = true;
  }
  const maxAge = annotations['mfa_max_age'];
  if (maxAge !== undefined) {
    if (mfa === undefined) problems.push('@mfa_max_age needs @mfa("required")');
    const n = positiveInt(maxAge);
    if (n === undefined) problems.push(`@mfa_max_age("${maxAge}"): expected a whole number of seconds`);
    else out.mfaMaxAge = n;
  }
  return { obligations: out, problems };
}

function positiveInt(text: string): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}
