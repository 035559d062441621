// Control-plane routes that act on one object (an approval, a grant) are decided on that object
// as well as on `Airlock::"control-plane"`: `Approval::"<id>"` or `Grant::"<id>"`, a child of the
// control plane, with its owner and what it is about as attributes, so a bundle can scope who
// reads or acts on which (`resource.requester == principal`). Bundles written against the control
// plane alone keep working: a forbid on either entity denies; otherwise a permit on either allows,
// the object's own decision (and its obligations) first.
import type { Decision } from '../model/decision.js';
import type { CedarRecord, EntityRef } from '../model/entity.js';
import type { ActionRequest } from '../model/action-request.js';

export interface RouteObject {
  readonly ref: EntityRef;
  readonly attributes: CedarRecord;
}

export function objectRequest(action: string, object: RouteObject): ActionRequest {
  return {
    action,
    resource: object.ref,
    resourceName: '',
    ancestors: [{ type: 'Airlock', id: 'control-plane', attrs: {} }],
    attributes: object.attributes,
    context: {},
  };
}

/** A deny that a forbid (or a forbid that failed to evaluate) determined: it names its policies. */
const forbidden = (d: Decision) => d.effect === 'deny' && d.policies.length > 0;

export function scopedDecision(controlPlane: Decision, object: Decision): Decision {
  if (forbidden(object)) return object;
  if (forbidden(controlPlane)) return controlPlane;
  return object.effect !== 'deny' ? object : controlPlane;
}
