// Property tests for the promise that matters most: whatever a body looks like, no secret of a
// known shape, and no value of a credential-named key, reaches a record; other content does.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createCapture } from './capture.js';
import { captureConfigSchema } from './schema.js';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = UPPER + UPPER.toLowerCase() + '0123456789';
const B64URL = ALNUM + '_-';
const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

/** `text` is what is embedded; `payload` is its random part, which must not appear either. */
interface Secret { readonly text: string; readonly payload: string }
const shape = (prefix: fc.Arbitrary<string>, payload: fc.Arbitrary<string>, suffix = '') =>
  fc.tuple(prefix, payload).map(([p, x]): Secret => ({ text: p + x + suffix, payload: x }));
const lit = (...s: string[]) => fc.constantFrom(...s);

const secretArb: fc.Arbitrary<Secret> = fc.oneof(
  shape(lit('sk-', 'sk-proj-', 'sk-svcacct-'), chars(B64URL, 20, 120)),
  shape(lit('sk-ant-api03-', 'sk-ant-admin01-'), chars(B64URL, 30, 100)),
  shape(lit('alk_'), chars(B64URL, 43, 43)),
  shape(lit('AKIA', 'ASIA'), chars(UPPER + '0123456789', 16, 16)).map((s) => ({ ...s, payload: s.text })),
  shape(lit('ghp_', 'gho_', 'ghs_'), chars(ALNUM, 36, 40)),
  shape(lit('github_pat_'), chars(ALNUM + '_', 22, 82)),
  shape(lit('xoxa-', 'xoxb-', 'xoxp-', 'xoxr-'), chars(ALNUM + '-', 10, 60)),
  shape(lit('AIza'), chars(B64URL, 35, 35)),
  fc.tuple(chars(B64URL, 4, 40), chars(B64URL, 4, 80), chars(B64URL, 0, 60)).map(([h, p, s]) => {
    const text = `eyJ${h}.eyJ${p}.${s}`;
    return { text, payload: text };
  }),
  shape(lit('Bearer ', 'bearer  '), chars(ALNUM + '._~+/-', 12, 60)),
  fc.tuple(lit('RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', ''), chars(ALNUM + '+/', 40, 64), chars(ALNUM + '+/', 0, 64)).map(([kind, l1, l2]) => ({
    text: `-----BEGIN ${kind}PRIVATE KEY-----\n${l1}\n${l2}=\n-----END ${kind}PRIVATE KEY-----`,
    payload: l1,
  })),
);

const SECRET_KEYS = ['apiKey', 'api_key', 'API-KEY', 'x-api-key', 'openaiApiKey', 'clientSecret', 'client_secret', 'password', 'db_passwd', 'accessToken', 'refresh_token', 'token', 'Authorization', 'SECRET'];
// Opaque values have no shape: only the key name says they are secret.
const opaqueArb = chars(ALNUM, 12, 40);
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'oscar', 'papa', 'romeo', 'sierra', 'tango', 'victor', 'zulu'];
const fillerArb = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));

type Spec =
  | { t: 'filler'; w: string } | { t: 'num'; n: number } | { t: 'null' }
  | { t: 'secret'; s: Secret; around?: [string, string] }
  | { t: 'arr'; items: Spec[] }
  | { t: 'obj'; entries: ({ k: 'filler'; w: string; v: Spec } | { k: 'named'; name: string; value: string } | { k: 'secret-key'; s: Secret; v: Spec })[] };

const { tree } = fc.letrec<{ tree: Spec; leaf: Spec; node: Spec }>((tie) => ({
  tree: fc.oneof({ maxDepth: 5, depthSize: 'medium' }, tie('leaf'), { arbitrary: tie('node'), weight: 2 }),
  leaf: fc.oneof(
    fillerArb.map((w): Spec => ({ t: 'filler', w })),
    fc.integer().map((n): Spec => ({ t: 'num', n })),
    fc.constant<Spec>({ t: 'null' }),
    secretArb.map((s): Spec => ({ t: 'secret', s })),
    fc.tuple(secretArb, fillerArb, fillerArb).map(([s, a, b]): Spec => ({ t: 'secret', s, around: [a, b] })),
  ),
  node: fc.oneof(
    fc.array(tie('tree'), { maxLength: 5 }).map((items): Spec => ({ t: 'arr', items })),
    fc
      .array(
        fc.oneof(
          fc.record({ k: fc.constant('filler' as const), w: fillerArb, v: tie('tree') }),
          fc.record({ k: fc.constant('named' as const), name: fc.constantFrom(...SECRET_KEYS), value: opaqueArb }),
          fc.record({ k: fc.constant('secret-key' as const), s: secretArb, v: tie('tree') }),
        ),
        { maxLength: 5 },
      )
      .map((entries): Spec => ({ t: 'obj', entries })),
  ),
}));

// A document, plus what must not appear in a capture of it (secrets) and what must (fillers).
const docArb = fc.tuple(fc.array(tree, { minLength: 1, maxLength: 4 }), fc.array(secretArb, { minLength: 1, maxLength: 3 })).map(([specs, extra]) => {
  const secrets: Secret[] = [];
  const fillers: string[] = [];
  let n = 0;
  const filler = (w: string): string => {
    const unique = `${w} n${n++}`;
    fillers.push(unique);
    return unique;
  };
  const build = (s: Spec): unknown => {
    switch (s.t) {
      case 'filler': return filler(s.w);
      case 'num': return s.n;
      case 'null': return null;
      case 'secret':
        secrets.push(s.s);
        return s.around ? `${filler(s.around[0])} ${s.s.text} ${filler(s.around[1])}` : s.s.text;
      case 'arr': return s.items.map(build);
      case 'obj': {
        const obj: Record<string, unknown> = {};
        for (const e of s.entries) {
          if (e.k === 'named') {
            if (Object.hasOwn(obj, e.name)) continue;
            secrets.push({ text: e.value, payload: e.value });
            obj[e.name] = e.value;
          } else if (e.k === 'secret-key') {
            if (Object.hasOwn(obj, e.s.text)) continue;
            secrets.push(e.s);
            obj[e.s.text] = build(e.v);
          } else {
            obj[filler(e.w)] = build(e.v);
          }
        }
        return obj;
      }
    }
  };
  const doc = build({ t: 'arr', items: [...specs, ...extra.map((s): Spec => ({ t: 'secret', s }))] });
  return { doc, secrets, fillers };
});

// Free text: form fields, headers, JSON fragments and prose, one per line.
const textArb = fc
  .array(
    fc.oneof(
      fillerArb.map((w) => ({ line: w, secret: undefined })),
      fc.tuple(secretArb, fillerArb, fillerArb).map(([s, a, b]) => ({ line: `${a} ${s.text} ${b}`, secret: s })),
      fc.tuple(fc.constantFrom(...SECRET_KEYS), opaqueArb, lit('=', ': ', '="', '": "', "='")).map(([k, v, sep]) => ({
        line: `${sep.includes('": ') ? '"' : ''}${k}${sep}${v}${sep.endsWith('"') ? '"' : sep.endsWith("'") ? "'" : ''}`,
        secret: { text: v, payload: v },
      })),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((lines) => ({
    text: lines.map((l) => l.line).join('\n'),
    secrets: lines.flatMap((l) => (l.secret ? [l.secret] : [])),
    fillers: lines.filter((l) => !l.secret).map((l) => l.line),
  }));

const full = createCapture(captureConfigSchema.parse({ default: { mode: 'full', max_bytes: 1 << 24 } }));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

// Checks the whole secret, its JSON-escaped form, and every 12-character window of its random part,
// so a rule that stops early and leaves a tail behind is caught too.
function assertNoSecret(out: string, secrets: readonly Secret[]): void {
  for (const s of secrets) {
    const windows = Array.from({ length: Math.max(0, s.payload.length - 11) }, (_, i) => s.payload.slice(i, i + 12));
    for (const needle of [s.text, JSON.stringify(s.text).slice(1, -1), s.payload, ...windows]) {
      assert.ok(!out.includes(needle), `leaked ${JSON.stringify(needle)} in ${out}`);
    }
  }
}

describe('capture properties', () => {
  it('never lets a secret of any shape, anywhere in a JSON document, into a full capture', () => {
    fc.assert(
      fc.property(docArb, ({ doc, secrets, fillers }) => {
        const out = JSON.stringify(full('http', Buffer.from(JSON.stringify(doc)), 'application/json'));
        assertNoSecret(out, secrets);
        for (const f of fillers) assert.ok(out.includes(f), `lost ${JSON.stringify(f)} in ${out}`);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a secret into a full capture of free text, and keeps the rest', () => {
    fc.assert(
      fc.property(textArb, ({ text, secrets, fillers }) => {
        const out = JSON.stringify(full('http', Buffer.from(text), 'text/plain'));
        assertNoSecret(out, secrets);
        for (const f of fillers) assert.ok(out.includes(f), `lost ${JSON.stringify(f)} in ${out}`);
      }),
      { numRuns: 300 },
    );
  });

  it('never leaves part of a secret behind when cutting to max_bytes', () => {
    const bodies = fc.oneof(
      docArb.map((d) => ({ body: JSON.stringify(d.doc), secrets: d.secrets })),
      textArb.map((t) => ({ body: t.text, secrets: t.secrets })),
    );
    fc.assert(
      fc.property(bodies, fc.integer({ min: 1, max: 400 }), ({ body, secrets }, max_bytes) => {
        const cut = createCapture(captureConfigSchema.parse({ default: { mode: 'full', max_bytes } }));
        const out = JSON.stringify(cut('http', Buffer.from(body)));
        assertNoSecret(out, secrets);
        for (const s of secrets) assert.ok(!out.includes(s.payload.slice(0, 10)), `left ${s.payload.slice(0, 10)} in ${out}`);
      }),
    );
  });

  it('captures only the hash in digest mode, and nothing in none mode', () => {
    const digest = createCapture(captureConfigSchema.parse({ default: { mode: 'digest' } }));
    const none = createCapture(captureConfigSchema.parse({ default: { mode: 'none' }, openai: { mode: 'none' } }));
    const bodies = fc.oneof(docArb.map((d) => Buffer.from(JSON.stringify(d.doc))), fc.uint8Array({ minLength: 1, maxLength: 512 }).map((a) => Buffer.from(a)));
    fc.assert(
      fc.property(bodies, fc.constantFrom('openai', 'http', 's3'), (body, type) => {
        assert.equal(JSON.stringify(digest(type, body, 'application/json')), JSON.stringify({ sha256: sha(body) }));
        assert.equal(none(type, body, 'application/json'), undefined);
      }),
    );
  });
});
