// `alerts:` in the config: rules evaluated over the audit log as records arrive. Each fires at
// most once per window for what it is about (a principal, an agent, a tool).
import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'must be lower-case letters, digits, "-" or "_"' });
const windowSeconds = z.number().int().positive().max(7 * 86_400).default(300);

export const alertRuleSchema = z.discriminatedUnion('type', [
  /** Refusals as a share of all decisions in a window. */
  z.strictObject({ name, type: z.literal('denial_rate'), window_seconds: windowSeconds, threshold: z.number().gt(0).max(1), min_requests: z.number().int().positive().default(20) }),
  /** A principal reaches a resource of this sensitivity for the first time. */
  z.strictObject({ name, type: z.literal('first_sensitive_access'), window_seconds: windowSeconds, sensitivity: z.string().min(1).default('pii') }),
  /** An `admin.*` action allowed outside business hours (UTC). */
  z.strictObject({
    name,
    type: z.literal('off_hours_admin'),
    window_seconds: windowSeconds,
    business_hours: z.strictObject({ start: z.number().int().min(0).max(23), end: z.number().int().min(1).max(24) }).default({ start: 8, end: 18 }),
    weekdays: z.array(z.number().int().min(0).max(6)).default([1, 2, 3, 4, 5]),
  }),
  /** An agent's tool calls in a window. */
  z.strictObject({ name, type: z.literal('agent_tool_rate'), window_seconds: windowSeconds, threshold: z.number().int().positive() }),
  /** An MCP server presents a changed tool definition. */
  z.strictObject({ name, type: z.literal('tool_definition_change'), window_seconds: windowSeconds }),
]);

export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertsSchema = z.array(alertRuleSchema).default([]).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate alert name "${r.name}"` });
    seen.add(r.name);
  });
});
