// GET /api/v1/secrets/{name}: the broker that hands a secret to a pipeline or an agent. It is
// decided as `secret.read` on `Secret::"<name>"` like any other action, so policies put step-up
// MFA or approvals on it: an approval is opened (202, as for a gate) and the caller asks again
// with `Airlock-Approval: <id>` until it is approved (the value is released once), denied or
// expired. Whether a secret exists is told only to callers the bundle lets read it. The decision
// and outcome records name the secret, never its value; a version that fails its integrity check
// is refused (500 secret_tampered) and recorded. This is the one answer that carries a value, and
// it is marked `Cache-Control: no-store`.
import type { ApprovalService } from '../../approvals/service.js';
import type { AuditWriter } from '../../audit/writer.js';
import { AirlockError } from '../../lib/errors.js';
import { formatEntity, type CedarRecord } from '../../model/entity.js';
import { tamperedRecord } from '../../secrets/audit-records.js';
import { SealBroken } from '../../secrets/envelope.js';
import { isSecretName, SECRET_NAME_RULE } from '../../secrets/names.js';
import { secretForJson } from '../../secrets/text.js';
import type { SecretVault } from '../../secrets/vault.js';
import type { Route, RouteContext, RouteResult } from '../routes.js';

export interface SecretRoutesDeps {
  readonly vault: SecretVault;
  readonly approvals: ApprovalService;
  /** Base URL of approval pages. */
  readonly consoleUrl: () => string;
  readonly audit: AuditWriter;
}

const NO_STORE = { 'cache-control': 'no-store' };

export function secretRoutes({ vault, approvals, consoleUrl, audit }: SecretRoutesDeps): Route[] {
  const pending = (id: string, status: string, decided: Record<string, unknown>): RouteResult => ({
    status: 202,
    json: { decision: 'approval_required', approval_id: id, status, approve_url: new URL(`/approvals/${id}`, consoleUrl()).href, ...decided },
    headers: NO_STORE,
  });

  async function handler({ principal, decision, context, params, headers, requestId }: RouteContext): Promise<RouteResult> {
    const name = params.name!;
    const resource = formatEntity({ type: 'Secret', id: name });
    const decided = { policies: decision.policies, policy_version: decision.policyVersion, request_id: requestId };
    const sealed = await vault.store.getSecret(name);
    if (!sealed) throw new AirlockError('not_found', `no secret ${name}`);
    if (decision.effect === 'approval_required') {
      const request = { method: 'GET', path: `/api/v1/secrets/${name}`, body_sha256: null };
      const presented = headers['airlock-approval'];
      if (typeof presented !== 'string') {
        const approval = await approvals.open({
          kind: 'secret',
          principal,
          action: 'secret.read',
          resource,
          resourceName: null,
          context: context as CedarRecord,
          request,
          obligation: decision.obligations.approval!,
          requestId,
          policyVersion: decision.policyVersion,
          policies: decision.policies,
        });
        return pending(approval.id, approval.status, decided);
      }
      const binding = { principal, action: 'secret.read', resource, request, requirements: decision.obligations.approval!.requirements };
      const r = await approvals.redeem(presented, binding, requestId);
      if (r.state === 'pending') return pending(r.approval.id, 'pending', decided);
      if (r.state === 'refused') throw new AirlockError('denied', `the approval is ${r.status} or not for this secret`, { approval_id: presented, status: r.status });
    }
    let value: Buffer;
    try {
      value = await vault.openVersion(sealed);
    } catch (err) {
      if (err instanceof SealBroken) await audit.append(tamperedRecord(name, sealed.version, 'broker'));
      throw err;
    }
    return { status: 200, json: { name, version: sealed.version, ...secretForJson(value) }, headers: NO_STORE };
  }

  return [
    {
      method: 'GET',
      pattern: '/api/v1/secrets/:name',
      action: 'secret.read',
      target: (params) => {
        if (!isSecretName(params.name!)) throw new AirlockError('bad_request', `a secret name is ${SECRET_NAME_RULE}`);
        return { resource: { type: 'Secret', id: params.name! } };
      },
      handlesApproval: true,
      doc: {
        summary: 'Hand a secret to a pipeline or agent: decided as `secret.read` on `Secret::"<name>"` (approvals and step-up as anywhere else); audited without the value',
        responses: {
          200: { description: 'The value (never cached: Cache-Control no-store)', schema: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' } } } },
          202: { description: 'Waiting for an approval', schema: { type: 'object' } },
        },
      },
      handler,
    },
  ];
}
