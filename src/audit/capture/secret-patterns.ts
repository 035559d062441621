// Audit stage, body capture: the secret shapes that are redacted whatever the configuration says.
// Promises: `redactSecrets` removes every credential shape listed below from a string, and
// `isSecretKeyName` says whether a JSON key names a credential (its value is then redacted whole).
// Other modules may use `redactSecrets` for log lines.
//
// Two rules keep this safe to run on request bodies, which the requester controls:
// - Every rule scans in linear time. A prefixed shape must start at a token boundary (not after a
//   letter, digit, `_` or `-`), and every part that can fail after a long scan has a length cap,
//   so a crafted body (`eyJeyJeyJ...`, `a.a.a.a...`) cannot stall the gateway.
// - Rules lean to over-redaction: an unterminated PEM block or quoted value is redacted to the end.

export const REDACTED = '[redacted]';

const START = '(?<![A-Za-z0-9_-])';

// What a credential-bearing key is called. `token` must not be followed by a letter, so usage
// counters (`max_tokens`, `prompt_tokens`) and `tokenizer` stay readable.
const SECRET_KEY_WORD = String.raw`api[_-]?key|secret|passw(?:or)?d|passphrase|token(?![a-z])|authorization|credential|private[_-]?key|cookie`;
const SECRET_KEY_NAME = new RegExp(SECRET_KEY_WORD, 'i');

interface SecretRule {
  readonly name: string;
  /** Always global. A named group `keep` is left in place, the rest of the match is redacted. */
  readonly regex: RegExp;
}

const rule = (name: string, source: string, flags = ''): SecretRule => ({ name, regex: new RegExp(source, 'g' + flags) });

// Order matters: whole blocks first, then shapes with a distinctive prefix (Anthropic before the
// broader `sk-`), then context-based rules, whose values may already be redacted.
export const SECRET_RULES: readonly SecretRule[] = [
  rule('pem-private-key', String.raw`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)`),
  rule('anthropic-key', String.raw`${START}sk-ant-[A-Za-z0-9_-]{16,}`),
  rule('openai-key', String.raw`${START}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`),
  rule('airlock-key', String.raw`${START}alk_[A-Za-z0-9_-]{20,}`),
  rule('aws-access-key-id', String.raw`${START}(?:AKIA|ASIA)[0-9A-Z]{16}`),
  rule('github-token', String.raw`${START}(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})`),
  rule('slack-token', String.raw`${START}xox[abposr]-[A-Za-z0-9-]{10,}`),
  rule('google-api-key', String.raw`${START}AIza[0-9A-Za-z_-]{30,}`),
  rule('jwt', String.raw`${START}eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
  rule('bearer-token', String.raw`(?<keep>\bBearer\s{1,16})[A-Za-z0-9._~+/-]{8,}=*`, 'i'),
  rule('url-credentials', String.raw`(?<keep>\b[a-z][a-z0-9+.-]{0,15}://[^\s/:@]{0,256}:)[^\s/@]{1,256}(?=@)`, 'i'),
  // `password=...`, `"apiKey": "..."`, `Authorization: Basic ...` inside free text: secrets in
  // form bodies, log lines, and JSON that travels as a string inside another JSON document.
  rule(
    'secret-assignment',
    String.raw`(?<keep>(?:${SECRET_KEY_WORD})[A-Za-z0-9_.-]{0,64}\\{0,3}["']?\s{0,16}[:=]\s{0,16})` +
      String.raw`(?:\\{0,3}"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|(?:(?:Basic|Bearer|Digest|Token)\s{1,16})?[^\s"'&,;]+)`,
    'i',
  ),
];

export interface RedactionResult {
  readonly text: string;
  /** Names of the rules that removed something, in rule order. */
  readonly applied: readonly string[];
}

/** Replaces every secret-shaped part of `text` with `[redacted]`, saying which rules fired. */
export function redactSecretsDetailed(text: string): RedactionResult {
  const applied: string[] = [];
  let out = text;
  for (const r of SECRET_RULES) {
    let fired = false;
    out = out.replace(r.regex, (match: string, ...rest: unknown[]) => {
      const groups = rest.at(-1);
      const keep = typeof groups === 'object' && groups !== null ? ((groups as { keep?: string }).keep ?? '') : '';
      const secret = match.slice(keep.length);
      // Already redacted by an earlier rule (e.g. `"api_key": "[redacted]"`): leave it, don't count it.
      if (secret === '' || ALREADY_REDACTED.test(unquote(secret))) return match;
      fired = true;
      return keep + quoteLike(secret, REDACTED);
    });
    if (fired) applied.push(r.name);
  }
  return { text: out, applied };
}

export function redactSecrets(text: string): string {
  return redactSecretsDetailed(text).text;
}

/** True when a JSON key names a credential (`apiKey`, `client_secret`, `X-Auth-Token`, ...). */
export function isSecretKeyName(key: string): boolean {
  return SECRET_KEY_NAME.test(key);
}

const ALREADY_REDACTED = /^(?:(?:Basic|Bearer|Digest|Token)\s+)?\[redacted\]$/i;

function unquote(s: string): string {
  return s.replace(/^\\*["']|\\*["']$/g, '');
}

// Keeps a quoted value quoted, so redacted JSON-in-text still reads as JSON.
function quoteLike(secret: string, replacement: string): string {
  const open = /^\\*["']/.exec(secret)?.[0];
  return open ? open + replacement + open : replacement;
}
