// Policy lifecycle: a decision record of the audit log read back into the request a bundle
// decided (principal with groups and MFA state, action, resource, context as Cedar saw it), so
// another bundle can decide it again. Only records a bundle decided qualify: refusals made
// before the decision (unauthenticated, not_found, bad_request) carry no policy version and
// are skipped, as is anything malformed; replay must never guess a request it cannot rebuild.
import type { DecideInput } from '../decide/index.js';
import type { Effect } from '../model/decision.js';
import { parseEntity, type CedarRecord, type EntityRef } from '../model/entity.js';
import { UNKNOWN_MFA_AGE } from '../model/principal.js';

export interface RecordedDecision {
  readonly seq: number;
  readonly time: string;
  readonly requestId: string;
  readonly surface: string;
  /** What the recorded bundle answered (an approval spent on the request does not count). */
  readonly effect: Effect;
  readonly policies: readonly string[];
  readonly policyVersion: string;
  readonly input: DecideInput;
  /** Set when a shadow bundle decided differently (policy.shadow_dir). */
  readonly shadow?: { readonly effect: Effect; readonly policies: readonly string[]; readonly policyVersion: string };
}

/** Attributes of `Resource::"<name>"` as the gateway config gives them now. */
export type AttributesOf = (resourceName: string) => CedarRecord | undefined;

const EFFECTS: ReadonlySet<string> = new Set(['allow', 'deny', 'approval_required', 'mfa_required']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** A record line (or an already parsed record) -> the decision it holds, or undefined to skip. */
export function recordedDecision(record: string | Obj, attributesOf: AttributesOf): RecordedDecision | undefined {
  // Most lines of a busy log are decisions, but outcomes and votes are not worth parsing.
  if (typeof record === 'string' && !record.includes('"kind":"decision"')) return undefined;
  let r: unknown;
  try {
    r = typeof record === 'string' ? JSON.parse(record) : record;
  } catch {
    return undefined;
  }
  if (!isObj(r) || r['kind'] !== 'decision') return undefined;
  const { action, principal: p, context, policies } = r;
  const version = r['policy_version'];
  if (typeof version !== 'string' || version === '' || typeof action !== 'string' || typeof r['resource'] !== 'string') return undefined;
  if (!isObj(p) || (p['type'] !== 'User' && p['type'] !== 'Agent') || typeof p['id'] !== 'string' || !isStrings(p['groups'])) return undefined;
  const resource = parseEntity(r['resource']);
  const effect = recordedEffect(r);
  if (!resource || !effect || !isObj(context)) return undefined;

  const ctx = context as CedarRecord;
  const surface = typeof r['surface'] === 'string' ? r['surface'] : 'data';
  const resourceName = resourceNameOf(r, surface, action, resource);
  // The control plane decides without resource attributes; the data plane passes the configured ones.
  const attributes = surface === 'data' ? attributesOf(resourceName) : undefined;
  const input: DecideInput = {
    principal: {
      type: p['type'], id: p['id'], groups: p['groups'],
      mfa: ctx['mfa'] === true,
      mfaAge: typeof ctx['mfa_age'] === 'number' ? ctx['mfa_age'] : UNKNOWN_MFA_AGE,
      authMethod: p['type'] === 'Agent' ? 'api_key' : 'oidc',
    },
    request: { action, resource, resourceName, context: {} },
    context: ctx,
    ...(attributes ? { resourceAttributes: attributes } : {}),
  };
  const shadow = shadowOf(r['shadow']);
  return {
    seq: typeof r['seq'] === 'number' ? r['seq'] : -1,
    time: typeof r['time'] === 'string' ? r['time'] : '',
    requestId: typeof r['request_id'] === 'string' ? r['request_id'] : '',
    surface, effect, policyVersion: version, input,
    policies: isStrings(policies) ? policies : [],
    ...(shadow ? { shadow } : {}),
  };
}

/**
 * A request allowed by spending an approval is recorded as `allow` with the approval obligation
 * still on it: only an `approval_required` answer carries one, so that was the bundle's answer.
 */
export function recordedEffect(r: Obj): Effect | undefined {
  const d = r['decision'];
  if (typeof d !== 'string' || !EFFECTS.has(d)) return undefined;
  const obligations = r['obligations'];
  if (d === 'allow' && isObj(obligations) && obligations['approval'] !== undefined) return 'approval_required';
  return d as Effect;
}

/**
 * Data-plane records name their resource. Control-plane records do not: its own actions
 * (`admin.*`, `grant.request`) decide with no resource in between, and a pipeline gate uses
 * the first segment of the resource id, as POST /api/v1/gate does.
 */
function resourceNameOf(r: Obj, surface: string, action: string, resource: EntityRef): string {
  if (typeof r['resource_name'] === 'string') return r['resource_name'];
  if (surface !== 'control' || action.startsWith('admin.') || action === 'grant.request') return '';
  return resource.id.split('/')[0] ?? '';
}

function shadowOf(s: unknown): RecordedDecision['shadow'] {
  if (!isObj(s) || typeof s['decision'] !== 'string' || !EFFECTS.has(s['decision'])) return undefined;
  return {
    effect: s['decision'] as Effect,
    policies: isStrings(s['policies']) ? s['policies'] : [],
    policyVersion: typeof s['policy_version'] === 'string' ? s['policy_version'] : '',
  };
}
