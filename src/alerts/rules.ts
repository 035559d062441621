// What each alert rule watches for in one audit record, and the state it keeps between records.
// A rule returns the key a firing is about (a principal, an agent, a tool) and a summary, or
// nothing. Windows are tumbling (fixed, aligned to the epoch), so every replica, reading the same
// log, counts the same windows and agrees on which window a firing belongs to.
import type { AlertRule } from './schema.js';

export interface AuditRecordView {
  readonly kind?: string;
  readonly time?: string;
  readonly decision?: string;
  readonly principal?: { type: string; id: string } | null;
  readonly action?: string | null;
  readonly resource?: string | null;
  readonly resource_attributes?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface Firing {
  readonly key: string;
  readonly summary: string;
  readonly details: Record<string, unknown>;
}

export type RuleCheck = (r: AuditRecordView, windowStart: number) => Firing | undefined;

const uid = (p: { type: string; id: string }) => `${p.type}::${JSON.stringify(p.id)}`;

export function ruleCheck(rule: AlertRule): RuleCheck {
  switch (rule.type) {
    case 'denial_rate': {
      let window = -1;
      let total = 0;
      let denied = 0;
      return (r, w) => {
        if (r.kind !== 'decision') return undefined;
        if (w !== window) (window = w), (total = 0), (denied = 0);
        total++;
        if (r.decision !== 'allow') denied++;
        if (total < rule.min_requests || denied / total < rule.threshold) return undefined;
        return { key: 'all', summary: `${denied} of ${total} decisions refused in ${rule.window_seconds} s`, details: { denied, total } };
      };
    }
    case 'first_sensitive_access': {
      const seen = new Set<string>();
      return (r) => {
        if (r.kind !== 'decision' || r.decision !== 'allow' || !r.principal || r.resource_attributes?.sensitivity !== rule.sensitivity) return undefined;
        const who = uid(r.principal);
        if (seen.has(who)) return undefined;
        seen.add(who);
        return { key: who, summary: `${who} reached ${rule.sensitivity} data for the first time (${String(r.action)} on ${String(r.resource)})`, details: { principal: who, action: r.action, resource: r.resource } };
      };
    }
    case 'off_hours_admin':
      return (r) => {
        if (r.kind !== 'decision' || r.decision !== 'allow' || !r.principal || !r.action?.startsWith('admin.') || !r.time) return undefined;
        const t = new Date(r.time);
        const hour = t.getUTCHours();
        if (rule.weekdays.includes(t.getUTCDay()) && hour >= rule.business_hours.start && hour < rule.business_hours.end) return undefined;
        const who = uid(r.principal);
        return { key: who, summary: `${who} used ${r.action} outside business hours`, details: { principal: who, action: r.action, time: r.time } };
      };
    case 'agent_tool_rate': {
      let window = -1;
      const counts = new Map<string, number>();
      return (r, w) => {
        if (r.kind !== 'decision' || r.action !== 'tool.call' || r.principal?.type !== 'Agent') return undefined;
        if (w !== window) (window = w), counts.clear();
        const who = uid(r.principal);
        const n = (counts.get(who) ?? 0) + 1;
        counts.set(who, n);
        if (n < rule.threshold) return undefined;
        return { key: who, summary: `${who} made ${n} tool calls in ${rule.window_seconds} s`, details: { principal: who, calls: n } };
      };
    }
    case 'tool_definition_change':
      return (r) => {
        if (r.kind !== 'tool_changed') return undefined;
        const tool = String(r.tool ?? r.resource ?? 'unknown');
        return { key: tool, summary: `the definition of ${tool} changed; it is hidden until an approver accepts it`, details: { tool, digest: r.digest, previous_digest: r.previous_digest } };
      };
  }
}
