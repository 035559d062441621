// The config as it may be shown (`airlock config check`, logs): every value that may be a
// credential is masked. Masking is by position, not by guessing at values, and errs towards
// hiding: all of `inject` (upstream credentials), every header value, every string under a key
// that names a secret, URL passwords and query values, and the path of delivery URLs (`url` of
// notification channels and sinks: a Slack or Teams webhook URL is itself the credential).
export const MASK = '***';

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SECRET_WORDS = new Set(['secret', 'password', 'passphrase', 'credential', 'credentials', 'token', 'apikey']);
const KEY_KINDS = new Set(['api', 'access', 'private', 'secret']);
/** A key ending so names a path or a setting about secrets, not a secret. */
const NOT_A_VALUE = new Set(['file', 'files', 'dir', 'path', 'type', 'types', 'seconds', 'ttl']);

function namesSecret(key: string): boolean {
  const words = key.toLowerCase().split(/[_-]/);
  if (NOT_A_VALUE.has(words[words.length - 1]!)) return false;
  return words.some((w, i) => SECRET_WORDS.has(w) || (w === 'key' && i > 0 && KEY_KINDS.has(words[i - 1]!)));
}

function maskUrl(text: string, pathIsSecret: boolean): string {
  if (!URL_LIKE.test(text) || !URL.canParse(text)) return pathIsSecret ? MASK : text;
  const url = new URL(text);
  const hidden = Boolean(url.password) || url.search !== '' || url.hash !== '' || (pathIsSecret && url.pathname.length > 1);
  if (!hidden) return text; // shown as written
  if (url.password) url.password = MASK;
  for (const k of new Set(url.searchParams.keys())) url.searchParams.set(k, MASK);
  if (pathIsSecret && url.pathname.length > 1) url.pathname = `/${MASK}`;
  url.hash = '';
  return url.href;
}

/** Every string leaf replaced by the mask (the shape stays, so the reader sees what is set). */
function maskAll(value: unknown): unknown {
  if (typeof value === 'string') return MASK;
  if (Array.isArray(value)) return value.map(maskAll);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAll(v)]));
  return value;
}

export function redactConfig(value: unknown, key = ''): unknown {
  if (key === 'inject' || key === 'headers' || namesSecret(key)) return maskAll(value);
  if (typeof value === 'string') return maskUrl(value, key === 'url');
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfig(v, k)]));
  return value;
}
