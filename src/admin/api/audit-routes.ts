// /api/v1/audit: read the log in seq order (for SIEMs pulling, and for auditors).
import { AirlockError } from '../../lib/errors.js';
import type { AuditStore } from '../../store/ports.js';
import type { Route } from '../routes.js';

const MAX_LIMIT = 1000;

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new AirlockError('bad_request', `"${name}" must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function auditRoutes(store: AuditStore): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/v1/audit',
      action: 'admin.audit.read',
      async handler({ query }) {
        const after = intParam(query, 'after', -1, -1, Number.MAX_SAFE_INTEGER);
        const limit = intParam(query, 'limit', 100, 1, MAX_LIMIT);
        const records = await store.readAudit(after, limit);
        return { status: 200, json: records.map((r) => JSON.parse(r.line) as unknown) };
      },
    },
  ];
}
