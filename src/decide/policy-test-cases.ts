// Decide stage, policy tests: the YAML format of `tests/*.yaml`, checked with zod, and each
// case turned into the DecideInput the gateway would build for the same request.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Effect } from '../model/decision.js';
import { parseEntity, type CedarRecord, type CedarValue, type EntityRef } from '../model/entity.js';
import { UNKNOWN_MFA_AGE, type PrincipalType } from '../model/principal.js';
import { ipValue } from './context.js';
import { formatPath } from './static-entities.js';
import type { DecideInput } from './types.js';

export interface PolicyTestCase {
  readonly file: string;
  readonly name: string;
  readonly expect: Effect;
  readonly input: DecideInput;
}

const entity = (types?: readonly string[]) =>
  z.string().transform((text, ctx): EntityRef => {
    const e = parseEntity(text);
    if (!e) ctx.addIssue({ code: 'custom', message: `expected Type::"id", got ${JSON.stringify(text)}` });
    else if (types && !types.includes(e.type)) ctx.addIssue({ code: 'custom', message: `expected a ${types.join(' or ')} entity, got ${e.type}` });
    return e ?? { type: '', id: '' };
  });

const cedarValue: z.ZodType<CedarValue> = z.lazy(() =>
  z.union([z.boolean(), z.int(), z.string(), z.array(cedarValue), z.record(z.string(), cedarValue)], {
    error: 'expected a Cedar value: boolean, whole number, string, list or record',
  }),
);
const record = z.record(z.string(), cedarValue);

const caseSchema = z
  .object({
    name: z.string().min(1),
    principal: entity(['User', 'Agent', 'K8sUser']),
    groups: z.array(z.string().min(1)).default([]),
    action: z.string().min(1).transform((a) => parseEntity(a)?.id ?? a),
    resource: entity(),
    resource_parent: entity(['Resource']).optional(),
    /** Entities between the resource and its container, nearest first (a Kubernetes object's Namespace). */
    resource_ancestors: z.array(entity()).optional(),
    resource_attributes: record.optional(),
    context: record.default({}),
    expect: z.enum(['allow', 'deny', 'approval_required', 'mfa_required']),
  })
  .strict();
const fileSchema = z.object({ tests: z.array(caseSchema) }).strict();

const DEFAULT_CONTEXT: CedarRecord = {
  mfa: false, mfa_age: UNKNOWN_MFA_AGE, source_ip: '127.0.0.1', hour: 12, weekday: 3, method: 'POST', path: '/',
};

/** Parses one test file; problems name the file and the key path (`tests[2].expect`). */
export function parseTestFile(file: string, shown: string, text: string, problems: string[]): PolicyTestCase[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    problems.push(`${shown}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
    return [];
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${shown}: ${formatPath(i.path)}: ${i.message}`);
    return [];
  }
  return parsed.data.tests.map((t) => {
    const context: CedarRecord = { ...DEFAULT_CONTEXT, ...t.context };
    if (typeof context['source_ip'] === 'string') context['source_ip'] = ipValue(context['source_ip']);
    const mfa = context['mfa'] === true;
    const mfaAge = typeof context['mfa_age'] === 'number' ? context['mfa_age'] : UNKNOWN_MFA_AGE;
    const container = t.resource_parent?.id ?? t.resource.id.split('/')[0]!;
    const input: DecideInput = {
      principal: {
        type: t.principal.type as PrincipalType, id: t.principal.id, groups: t.groups, mfa, mfaAge,
        authMethod: t.principal.type === 'Agent' ? 'api_key' : t.principal.type === 'K8sUser' ? 'kubernetes' : 'oidc',
      },
      request: {
        action: t.action,
        resource: t.resource,
        resourceName: container,
        context: t.context,
        ...(t.resource_ancestors ? { ancestors: t.resource_ancestors.map((a) => ({ ...a, attrs: {} })) } : {}),
      },
      context,
      ...(t.resource_attributes ? { resourceAttributes: t.resource_attributes } : {}),
    };
    return { file, name: t.name, expect: t.expect, input };
  });
}
