// Fuzzing the edges where outside input first meets the gateway: the config loader, the
// classifiers, the path normaliser, the bearer-token reader and the approval fingerprint. Each
// property says what must hold for every input: a clear refusal of the expected kind or a result
// that keeps the edge's promise, never another exception. Bounded in `npm test`; `npm run fuzz`
// runs them much longer (AIRLOCK_FUZZ_RUNS).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { approvalFingerprint } from '../../src/approvals/fingerprint.js';
import { classifyHttp } from '../../src/classify/http.js';
import { classifyOpenAi } from '../../src/classify/openai.js';
import { parseConfig } from '../../src/config/load.js';
import { createIdentifier } from '../../src/identify/index.js';
import { AirlockError } from '../../src/lib/errors.js';
import { fuzzRuns } from '../../src/lib/fuzz-runs.js';
import { normalizePath } from '../../src/lib/request-path.js';
import { parseJsonStrict } from '../../src/lib/strict-json.js';

const refusedWith = (code: string) => (err: unknown) => err instanceof AirlockError && err.code === code;

/** Runs `fn`; anything thrown must be an AirlockError with `code`. */
function totalOrRefused<T>(code: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    assert.ok(refusedWith(code)(err), `unexpected ${String(err)}`);
    return undefined;
  }
}

const yamlish = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ listen: fc.string(), resources: fc.array(fc.record({ name: fc.string(), type: fc.constantFrom('http', 'openai', 'x'), upstream: fc.string() })) }).map((v) => JSON.stringify(v)),
);

const methods = fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'get');
const paths = fc.oneof(fc.constantFrom('/v1/chat/completions', '/chat/completions', '/v1/embeddings', '/v1/responses', '/v1/models', '/v1/models/gpt-4o', '/v1/models/%zz'), fc.string().map((s) => `/${s}`));
const bodies = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ model: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), stream: fc.anything(), max_tokens: fc.oneof(fc.integer(), fc.double(), fc.string()) }).map((v) => JSON.stringify(v)),
  fc.string(),
);

describe('fuzz: input edges', () => {
  it('the config loader refuses with config_invalid and one line per problem, or yields a config', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        try {
          parseConfig(text, 'fuzz.yaml', {});
        } catch (err) {
          assert.ok(refusedWith('config_invalid')(err), `unexpected ${String(err)}`);
          const problems = (err as AirlockError).details.problems as unknown[];
          assert.ok(problems.length > 0 && problems.every((p) => typeof p === 'string' && !p.includes('\n')));
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('the openai classifier decides model.invoke only on a named model, else refuses with bad_request', () => {
    fc.assert(
      fc.property(methods, paths, bodies, (method, path, body) => {
        const r = totalOrRefused('bad_request', () => classifyOpenAi({ resourceName: 'llm', method, path, headers: {}, body: Buffer.from(body) }));
        if (r?.action === 'model.invoke') {
          assert.equal(method, 'POST');
          assert.equal(typeof r.context.model, 'string');
          assert.equal(r.resource.id, `llm/${r.context.model as string}`);
        }
        if (r && r.action.startsWith('http.')) assert.equal(r.resource.type, 'Endpoint');
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('the http classifier maps every method to read, write or delete', () => {
    fc.assert(
      fc.property(fc.string(), paths, (method, path) => {
        const r = classifyHttp({ resourceName: 'api', method, path, headers: {}, body: Buffer.alloc(0) });
        assert.ok(['http.read', 'http.write', 'http.delete'].includes(r.action));
        if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) assert.notEqual(r.action, 'http.read', 'only safe methods read');
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('strict JSON agrees with JSON.parse on every text that has no duplicate key', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        const parsed = totalOrRefused('bad_request', () => parseJsonStrict(text));
        if (parsed !== undefined) assert.deepEqual(parsed, JSON.parse(text));
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('the path normaliser refuses or yields a fixed point without dot segments or encoded slashes, on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        const out = normalizePath(`/${raw}`);
        if (typeof out !== 'string') return;
        assert.equal(normalizePath(out), out);
        assert.ok(!/%2F|%5C/i.test(out) && !out.includes('//') && !out.split('/').some((s) => s === '.' || s === '..'));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('the token reader refuses every credential it did not issue with unauthenticated', async () => {
    const identifier = await createIdentifier({ oidc: [{ issuer: 'https://login.test', audience: 'airlock', jwks_file: '/dev/null/none.json', groups_claim: 'groups' }] }).catch(() =>
      createIdentifier({ oidc: [] }),
    );
    const header = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Bearer ${s}`),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
      fc.string().map((s) => `Bearer alk_${s}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (h) => {
        await assert.rejects(identifier.identify(h), refusedWith('unauthenticated'));
      }),
      { numRuns: fuzzRuns(300) },
    );
    await identifier.close();
  });

  it('the approval fingerprint tells apart any two requests that differ', () => {
    const binding = fc.record({
      type: fc.constantFrom('User', 'Agent'),
      id: fc.string(),
      action: fc.string(),
      resource: fc.string(),
      method: fc.string(),
      path: fc.string(),
      query: fc.option(fc.string(), { nil: null }),
      body: fc.option(fc.string(), { nil: null }),
      groups: fc.array(fc.string(), { maxLength: 2 }),
      quorum: fc.integer({ min: 1, max: 3 }),
    });
    type Binding = typeof binding extends fc.Arbitrary<infer T> ? T : never;
    const fp = (b: Binding) =>
      approvalFingerprint({ type: b.type, id: b.id }, b.action, b.resource, { method: b.method, path: b.path, query_sha256: b.query, body_sha256: b.body }, [{ groups: b.groups, quorum: b.quorum }]);
    fc.assert(
      fc.property(binding, binding, (a, b) => {
        const same = JSON.stringify({ ...a, groups: [...a.groups].sort() }) === JSON.stringify({ ...b, groups: [...b.groups].sort() });
        assert.equal(fp(a) === fp(b), same);
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });
});
