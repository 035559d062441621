// The shapes the control-plane API answers with, as JSON Schema (2020-12, what OpenAPI 3.1 uses):
// the `components.schemas` of /api/v1/openapi.json. They describe the types in approvals/types.ts,
// store/ports.ts (Grant) and lineage/; a field added there belongs here too.
export type JsonSchema = Readonly<Record<string, unknown>>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str: JsonSchema = { type: 'string' };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const nullable = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });
const strings: JsonSchema = { type: 'array', items: str };
const object = (properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema => ({
  type: 'object',
  properties,
  required,
});

export const COMPONENT_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Problem: {
    ...object(
      {
        type: { type: 'string', description: '`urn:airlock:problem:<code>`' },
        title: str,
        status: { type: 'integer' },
        detail: str,
        code: { type: 'string', description: 'The problem code (README, Answers)' },
        request_id: str,
        approval_id: { type: 'string', description: 'The approval opened or presented, when there is one' },
      },
      ['type', 'title', 'status', 'detail', 'code', 'request_id'],
    ),
    description: 'An RFC 9457 problem (application/problem+json)',
  },
  EntityRef: object({ type: str, id: str }),
  Requirement: object({ groups: strings, quorum: { type: 'integer', minimum: 1 } }),
  Vote: object(
    {
      approver: ref('EntityRef'),
      groups: strings,
      vote: { enum: ['approve', 'deny'] },
      reason: str,
      time,
    },
    ['approver', 'vote', 'reason', 'time'],
  ),
  Approval: object(
    {
      id: str,
      kind: { enum: ['request', 'grant', 'gate'] },
      status: { enum: ['pending', 'approved', 'denied', 'expired', 'used'] },
      principal: object({ type: str, id: str, groups: strings }),
      action: str,
      resource: { type: 'string', description: '`Type::"id"`' },
      resource_name: nullable(str),
      context: { type: 'object', description: 'The Cedar context the request was decided with' },
      request: object(
        {
          method: str,
          path: { type: 'string', description: 'Without the query string' },
          query_sha256: nullable({ type: 'string', description: 'SHA-256 of the query string; the query itself is never stored' }),
          body_sha256: nullable(str),
        },
        ['method', 'path', 'body_sha256'],
      ),
      fingerprint: str,
      groups: strings,
      quorum: { type: 'integer' },
      requirements: { type: 'array', items: ref('Requirement') },
      votes: { type: 'array', items: ref('Vote') },
      reason: nullable(str),
      request_id: str,
      policy_version: str,
      policies: strings,
      created_at: time,
      expires_at: time,
      decided_at: nullable(time),
      used_at: nullable(time),
    },
    ['id', 'kind', 'status', 'principal', 'action', 'resource', 'votes', 'created_at', 'expires_at'],
  ),
  Grant: object(
    {
      id: str,
      principal: ref('EntityRef'),
      group: str,
      reason: str,
      duration_seconds: { type: 'integer' },
      status: { enum: ['pending', 'active', 'denied', 'expired', 'revoked'] },
      approval_id: nullable(str),
      created_at: time,
      starts_at: nullable(time),
      expires_at: nullable(time),
      ended_at: nullable(time),
    },
    ['id', 'principal', 'group', 'status', 'created_at'],
  ),
  GateAnswer: object(
    {
      decision: { enum: ['allow', 'approval_required'] },
      approval_id: str,
      status: { type: 'string', description: 'The approval\'s status while it is pending' },
      approve_url: { type: 'string', format: 'uri' },
      policies: strings,
      policy_version: str,
      request_id: str,
    },
    ['decision', 'policies', 'policy_version', 'request_id'],
  ),
  AuditRecord: {
    ...object({ v: { type: 'integer' }, seq: { type: 'integer', minimum: 0 }, kind: str, time }),
    additionalProperties: true,
    description: 'One record of the log, exactly as `airlock audit export` writes it (README, Audit)',
  },
  InclusionProof: object({ seq: { type: 'integer' }, size: { type: 'integer' }, leaf_hash: str, root: str, proof: strings }),
  ConsistencyProof: object({ from: { type: 'integer' }, to: { type: 'integer' }, old_root: str, root: str, proof: strings }),
  GraphNode: object({ id: str, type: str, attributes: { type: 'object' }, first_seen: time, last_seen: time }, ['id', 'type']),
  GraphEdge: object({ from: str, to: str, action: str, count: { type: 'integer' }, first_seen: time, last_seen: time }),
  Graph: object(
    { nodes: { type: 'array', items: ref('GraphNode') }, edges: { type: 'array', items: ref('GraphEdge') }, position: { type: 'integer' } },
    ['nodes', 'edges'],
  ),
  Lineage: object(
    {
      model: str,
      nodes: { type: 'array', items: ref('GraphNode') },
      edges: { type: 'array', items: ref('GraphEdge') },
      sensitivities: strings,
      attestations: { type: 'object', additionalProperties: str, description: 'predicate -> latest result' },
    },
    ['model', 'nodes', 'edges'],
  ),
  DsseEnvelope: object({
    payloadType: str,
    payload: { type: 'string', contentEncoding: 'base64' },
    signatures: { type: 'array', items: object({ keyid: str, sig: str }) },
  }),
};

export { ref as schemaRef };
