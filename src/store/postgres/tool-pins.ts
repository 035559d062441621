// MCP tool pins on PostgreSQL: one row per (resource, tool); every change is one conditional
// statement, so replicas that see the same change at once report it once.
import type { ToolPin, ToolPinStore } from '../ports.js';
import type { Db } from './pool.js';

interface PinRow {
  resource: string;
  tool: string;
  digest: string | null;
  pending_digest: string | null;
  pending_definition: unknown;
  first_seen_at: number;
  changed_at: number | null;
  accepted_at: number | null;
  accepted_by: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (text: string | null) => (text === null ? null : Date.parse(text));

const toPin = (r: PinRow): ToolPin => ({
  resource: r.resource,
  tool: r.tool,
  digest: r.digest,
  pending_digest: r.pending_digest,
  pending_definition: r.pending_definition ?? null,
  first_seen_at: iso(r.first_seen_at)!,
  changed_at: iso(r.changed_at),
  accepted_at: iso(r.accepted_at),
  accepted_by: r.accepted_by,
});

export function pgToolPinStore(db: Db): ToolPinStore {
  const row = async (resource: string, tool: string) =>
    (await db.query<PinRow>(`SELECT * FROM tool_pins WHERE resource = $1 AND tool = $2`, [resource, tool])).rows[0];

  return {
    async insertToolPin(p) {
      await db.query(
        `INSERT INTO tool_pins(resource, tool, digest, pending_digest, pending_definition, first_seen_at, changed_at, accepted_at, accepted_by)
         VALUES ($1, $2, $3, $4, $5::json, $6, $7, $8, $9) ON CONFLICT (resource, tool) DO NOTHING`,
        [p.resource, p.tool, p.digest, p.pending_digest, p.pending_definition == null ? null : JSON.stringify(p.pending_definition),
          ms(p.first_seen_at), ms(p.changed_at), ms(p.accepted_at), p.accepted_by],
      );
      return toPin((await row(p.resource, p.tool))!);
    },
    async markToolPinChanged(resource, tool, digest, definition, now) {
      const { rowCount } = await db.query(
        `UPDATE tool_pins SET pending_digest = $3, pending_definition = $4::json, changed_at = $5
         WHERE resource = $1 AND tool = $2 AND pending_digest IS DISTINCT FROM $3`,
        [resource, tool, digest, JSON.stringify(definition ?? null), now],
      );
      const r = await row(resource, tool);
      return r && { pin: toPin(r), changed: (rowCount ?? 0) > 0 };
    },
    async clearToolPinChange(resource, tool) {
      await db.query(`UPDATE tool_pins SET pending_digest = NULL, pending_definition = NULL WHERE resource = $1 AND tool = $2`, [resource, tool]);
      const r = await row(resource, tool);
      return r && toPin(r);
    },
    async acceptToolPin(resource, tool, digest, by, now) {
      const { rows } = await db.query<PinRow>(
        `UPDATE tool_pins SET digest = pending_digest, pending_digest = NULL, pending_definition = NULL, accepted_at = $5, accepted_by = $4
         WHERE resource = $1 AND tool = $2 AND pending_digest = $3 RETURNING *`,
        [resource, tool, digest, by, now],
      );
      return rows[0] && toPin(rows[0]);
    },
    async listToolPins(resource) {
      const { rows } = await db.query<PinRow>(`SELECT * FROM tool_pins WHERE $1::text IS NULL OR resource = $1 ORDER BY resource, tool`, [resource ?? null]);
      return rows.map(toPin);
    },
  };
}
