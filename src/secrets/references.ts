// `${secret:NAME}` in the config: where it may appear, what it names, and its rendering. A
// reference is allowed only in values that are credentials (what the gateway injects towards an
// upstream, notification and sink signing secrets, telemetry headers), because only those are read
// live, at use; anywhere else it would be sent verbatim, so it is a config error there. Env
// substitution (`${VAR}`, config/load.ts) never matches these: a name with `:` is not a variable.
import { isSecretName, SECRET_NAME_RULE } from './names.js';

/** Key paths of credential values; `*` is any one key or index, `**` anything below. */
const CREDENTIAL_PATHS: readonly (readonly string[])[] = [
  ['resources', '*', 'inject', '**'],
  ['approvals', 'notify', '*', 'secret'],
  ['approvals', 'notify', '*', 'signing_secret'],
  ['audit', 'sinks', '*', 'secret'],
  ['telemetry', 'otlp', 'headers', '*'],
];

export const CREDENTIAL_PATHS_TEXT = 'resources[].inject, approvals.notify[].secret and .signing_secret, audit.sinks[].secret, telemetry.otlp.headers';

const REFERENCE = /\$\{secret:([^}]*)\}/g;
const MARKER = '${secret:';

export interface SecretReference {
  /** Where it is: the key path as zod reports it. */
  readonly path: readonly (string | number)[];
  /** The value as written, with its references. */
  readonly template: string;
  readonly names: readonly string[];
}

export interface ReferenceProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function isCredentialPath(path: readonly (string | number)[]): boolean {
  return CREDENTIAL_PATHS.some((pattern) => {
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] === '**') return path.length > i;
      if (i >= path.length || (pattern[i] !== '*' && pattern[i] !== String(path[i]))) return false;
    }
    return path.length === pattern.length;
  });
}

/** Every string of the config that holds `${secret:`, checked: safe names, credential values only. */
export function scanSecretReferences(config: unknown): { references: SecretReference[]; problems: ReferenceProblem[] } {
  const references: SecretReference[] = [];
  const problems: ReferenceProblem[] = [];
  const visit = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'string') {
      if (!value.includes(MARKER)) return;
      const names = [...value.matchAll(REFERENCE)].map((m) => m[1]!);
      const bad = names.find((n) => !isSecretName(n));
      if (bad !== undefined || value.replace(REFERENCE, '').includes(MARKER)) {
        problems.push({ path, message: `\${secret:...} must name a secret: ${SECRET_NAME_RULE}` });
      } else if (!isCredentialPath(path)) {
        problems.push({ path, message: `\${secret:...} can only stand in credential values (${CREDENTIAL_PATHS_TEXT})` });
      } else {
        references.push({ path, template: value, names });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...path, i]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
    }
  };
  visit(config, []);
  return { references, problems };
}

/** The template with each reference replaced; undefined when a named value is not available. */
export function renderTemplate(template: string, valueOf: (name: string) => string | undefined): string | undefined {
  let missing = false;
  const out = template.replace(REFERENCE, (_, name: string) => {
    const v = valueOf(name);
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}
