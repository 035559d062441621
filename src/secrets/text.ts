// A secret's bytes as text, where they are text: what a config value, a header or an environment
// variable can hold (valid UTF-8, no NUL). The Buffers are zeroed either way; the string that comes
// back cannot be (JS strings are immutable), so callers keep it no longer than they need it.

export function secretText(value: Buffer): string | undefined {
  const text = value.toString('utf8');
  const back = Buffer.from(text, 'utf8');
  try {
    return back.equals(value) && !text.includes('\u0000') ? text : undefined;
  } finally {
    value.fill(0);
    back.fill(0);
  }
}

/** The value for a JSON answer: as text when it is text, else base64. Zeroes `value`. */
export function secretForJson(value: Buffer): { encoding: 'utf8' | 'base64'; value: string } {
  const base64 = value.toString('base64');
  const text = secretText(value);
  return text === undefined ? { encoding: 'base64', value: base64 } : { encoding: 'utf8', value: text };
}
