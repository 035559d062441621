// Audit stage, body capture: pattern redaction of text and of every string in a JSON document.
// Promises: built-in secret rules always run, before the configured patterns, so a configured
// pattern can never cut a secret into pieces that no longer look like one; a member whose key names
// a credential loses its value whole; object keys are redacted like values (a secret can be a key).

import { isSecretKeyName, REDACTED, redactSecretsDetailed } from './secret-patterns.js';

/** Collects what was redacted: built-in rules as `secret:<name>`, configured patterns by source. */
export type Applied = Set<string>;

export type TextRedactor = (text: string, applied: Applied) => string;

/** `patterns` are regex sources already validated by the schema. */
export function createTextRedactor(patterns: readonly string[]): TextRedactor {
  const compiled = patterns.map((source) => ({ source, regex: new RegExp(source, 'g') }));
  return (text, applied) => {
    const secrets = redactSecretsDetailed(text);
    for (const name of secrets.applied) applied.add(`secret:${name}`);
    let out = secrets.text;
    for (const { source, regex } of compiled) {
      out = out.replace(regex, (match) => {
        // A pattern that can match nothing (`x*`) would sprinkle markers between characters.
        if (match === '' || match === REDACTED) return match;
        applied.add(source);
        return REDACTED;
      });
    }
    return out;
  };
}

/** Returns a redacted copy of a parsed JSON value. */
export function redactJsonValues(value: unknown, redactText: TextRedactor, applied: Applied): unknown {
  if (typeof value === 'string') return redactText(value, applied);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactJsonValues(v, redactText, applied));
  const entries: [string, unknown][] = [];
  const taken = new Set<string>();
  for (const [key, v] of Object.entries(value)) {
    let redacted: unknown;
    if (isSecretKeyName(key) && v !== null && typeof v !== 'boolean' && v !== REDACTED) {
      applied.add('secret:key-name');
      redacted = REDACTED;
    } else {
      redacted = redactJsonValues(v, redactText, applied);
    }
    entries.push([uniqueKey(redactText(key, applied), taken), redacted]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays data and never a prototype.
  return Object.fromEntries(entries);
}

// Two keys redacted to the same text must both survive: losing one would hide content silently.
function uniqueKey(key: string, taken: Set<string>): string {
  let candidate = key;
  for (let n = 2; taken.has(candidate); n++) candidate = `${key}#${n}`;
  taken.add(candidate);
  return candidate;
}
