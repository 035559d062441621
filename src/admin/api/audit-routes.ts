// /api/v1/audit: read the log in seq order (for SIEMs pulling, and for auditors).
import type { Checkpointer } from '../../audit/checkpointer.js';
import { consistencyProof, inclusionProof, rootAt, type NodeReader } from '../../audit/log/index.js';
import { AirlockError } from '../../lib/errors.js';
import type { AuditStore } from '../../store/ports.js';
import type { Route } from '../routes.js';
import { schemaRef } from './openapi-schemas.js';

const MAX_LIMIT = 10_000;

/** An integer query parameter in [min, max]; without `fallback` it is required. */
function intParam(query: URLSearchParams, name: string, fallback: number | undefined, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    if (fallback === undefined) throw new AirlockError('bad_request', `"${name}" is required`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new AirlockError('bad_request', `"${name}" must be an integer from ${min} to ${max}`);
  }
  return n;
}

const b64 = (b: Buffer) => b.toString('base64');

export function auditRoutes(store: AuditStore, checkpointer: Checkpointer): Route[] {
  const reader: NodeReader = { getNodes: (keys) => store.readNodes(keys) };
  /** Proof sizes must lie within the log as it is now. */
  const sizeParam = async (query: URLSearchParams, name: string, min: number) => {
    const { size } = await store.auditHead();
    if (size < min) throw new AirlockError('bad_request', `the log has ${size} records`);
    return { value: intParam(query, name, size, min, size), size };
  };
  return [
    {
      method: 'GET',
      pattern: '/api/v1/audit',
      action: 'admin.audit.read',
      async handler({ query }) {
        const after = intParam(query, 'after', -1, -1, Number.MAX_SAFE_INTEGER);
        const limit = intParam(query, 'limit', 1000, 1, MAX_LIMIT);
        const records = await store.readAudit(after, limit);
        return { status: 200, json: records.map((r) => JSON.parse(r.line) as unknown) };
      },
      doc: {
        summary: 'Audit records with seq > after, in order',
        query: {
          after: { description: 'Records after this seq (-1, the default, starts at the top)', schema: { type: 'integer', minimum: -1 } },
          limit: { description: `How many at most (1 to ${MAX_LIMIT}, default 1000)`, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT } },
        },
        responses: { 200: { description: 'Records', schema: { type: 'array', items: schemaRef('AuditRecord') } } },
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/audit/checkpoint',
      action: 'admin.audit.read',
      async handler() {
        await checkpointer.checkpoint();
        const latest = await store.latestCheckpoint();
        return { status: 200, text: latest?.note ?? '', contentType: 'text/plain; charset=utf-8' };
      },
      doc: { summary: 'The latest signed checkpoint (C2SP tlog-checkpoint in a signed note)', responses: { 200: { description: 'The checkpoint', text: 'text/plain' } } },
    },
    {
      method: 'GET',
      pattern: '/api/v1/audit/proof/inclusion',
      action: 'admin.audit.read',
      async handler({ query }) {
        const { value: size, size: current } = await sizeParam(query, 'size', 1);
        const seq = intParam(query, 'seq', undefined, 0, size - 1);
        const [proof, root, leaf] = await Promise.all([
          inclusionProof(seq, size, reader, current),
          rootAt(size, reader, current),
          store.readNodes([{ level: 0, index: seq }]),
        ]);
        return { status: 200, json: { seq, size, leaf_hash: b64(leaf[0]!), root: b64(root), proof: proof.map(b64) } };
      },
      doc: {
        summary: 'RFC 9162 inclusion proof of record seq in the tree of the given size',
        query: {
          seq: { description: 'The record', schema: { type: 'integer', minimum: 0 }, required: true },
          size: { description: 'The tree size (default: the log as it is now)', schema: { type: 'integer', minimum: 1 } },
        },
        responses: { 200: { description: 'The proof (base64 hashes)', schema: schemaRef('InclusionProof') } },
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/audit/proof/consistency',
      action: 'admin.audit.read',
      async handler({ query }) {
        const { value: to, size: current } = await sizeParam(query, 'to', 1);
        const from = intParam(query, 'from', undefined, 1, to);
        const [proof, oldRoot, root] = await Promise.all([
          consistencyProof(from, to, reader, current),
          rootAt(from, reader, current),
          rootAt(to, reader, current),
        ]);
        return { status: 200, json: { from, to, old_root: b64(oldRoot), root: b64(root), proof: proof.map(b64) } };
      },
      doc: {
        summary: 'RFC 9162 consistency proof between two tree sizes',
        query: {
          from: { description: 'The older size', schema: { type: 'integer', minimum: 1 }, required: true },
          to: { description: 'The newer size (default: the log as it is now)', schema: { type: 'integer', minimum: 1 } },
        },
        responses: { 200: { description: 'The proof (base64 hashes)', schema: schemaRef('ConsistencyProof') } },
      },
    },
  ];
}
