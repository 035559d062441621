// MCP tool pins on SQLite: one row per (resource, tool). Every change is one conditional
// statement, so two processes seeing the same change at once report it once.
import type Database from 'better-sqlite3';
import type { ToolPin, ToolPinStore } from '../ports.js';

interface PinRow {
  resource: string;
  tool: string;
  digest: string | null;
  pending_digest: string | null;
  pending_definition: string | null;
  first_seen_at: number;
  changed_at: number | null;
  accepted_at: number | null;
  accepted_by: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const toPin = (r: PinRow): ToolPin => ({
  resource: r.resource,
  tool: r.tool,
  digest: r.digest,
  pending_digest: r.pending_digest,
  pending_definition: r.pending_definition === null ? null : (JSON.parse(r.pending_definition) as unknown),
  first_seen_at: iso(r.first_seen_at)!,
  changed_at: iso(r.changed_at),
  accepted_at: iso(r.accepted_at),
  accepted_by: r.accepted_by,
});

export function sqliteToolPinStore(db: Database.Database): ToolPinStore {
  const get = db.prepare(`SELECT * FROM tool_pins WHERE resource = ? AND tool = ?`);
  const insert = db.prepare(
    `INSERT INTO tool_pins(resource, tool, digest, pending_digest, pending_definition, first_seen_at, changed_at, accepted_at, accepted_by)
     VALUES (@resource, @tool, @digest, @pending_digest, @pending_definition, @first_seen_at, @changed_at, @accepted_at, @accepted_by)
     ON CONFLICT(resource, tool) DO NOTHING`,
  );
  const mark = db.prepare(
    `UPDATE tool_pins SET pending_digest = @digest, pending_definition = @definition, changed_at = @now
     WHERE resource = @resource AND tool = @tool AND pending_digest IS NOT @digest`,
  );
  const clear = db.prepare(`UPDATE tool_pins SET pending_digest = NULL, pending_definition = NULL WHERE resource = ? AND tool = ?`);
  const accept = db.prepare(
    `UPDATE tool_pins SET digest = pending_digest, pending_digest = NULL, pending_definition = NULL, accepted_at = @now, accepted_by = @by
     WHERE resource = @resource AND tool = @tool AND pending_digest = @digest`,
  );
  const list = db.prepare(`SELECT * FROM tool_pins WHERE @resource IS NULL OR resource = @resource ORDER BY resource, tool`);
  const row = (resource: string, tool: string) => get.get(resource, tool) as PinRow | undefined;

  return {
    async insertToolPin(p) {
      insert.run({
        ...p,
        pending_definition: p.pending_definition === null || p.pending_definition === undefined ? null : JSON.stringify(p.pending_definition),
        first_seen_at: Date.parse(p.first_seen_at),
        changed_at: p.changed_at === null ? null : Date.parse(p.changed_at),
        accepted_at: p.accepted_at === null ? null : Date.parse(p.accepted_at),
      });
      return toPin(row(p.resource, p.tool)!);
    },
    async markToolPinChanged(resource, tool, digest, definition, now) {
      const changed = mark.run({ resource, tool, digest, definition: JSON.stringify(definition ?? null), now }).changes > 0;
      const r = row(resource, tool);
      return r && { pin: toPin(r), changed };
    },
    async clearToolPinChange(resource, tool) {
      clear.run(resource, tool);
      const r = row(resource, tool);
      return r && toPin(r);
    },
    async acceptToolPin(resource, tool, digest, by, now) {
      if (accept.run({ resource, tool, digest, by, now }).changes === 0) return undefined;
      return toPin(row(resource, tool)!);
    },
    async listToolPins(resource) {
      return (list.all({ resource: resource ?? null }) as PinRow[]).map(toPin);
    },
  };
}
