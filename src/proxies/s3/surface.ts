// The surface of `s3` resources (CONTRACT section 12): S3 clients use `http://<listen>/<name>` as
// their endpoint, path-style, and sign with Airlock-issued keys. The request story is the usual
// one in S3's dialect: identify (SigV4 verified against the key's sealed secret), classify (the
// operation, its object, its dataset prefix), authorize each decision (a copy has two), forward
// re-signed with the gateway's own store credential while the body is checked as it streams, and
// record the outcome with bucket, key, ETag and version. Refusals are S3 XML errors. Nothing is
// forwarded that a decision did not allow, and a body that fails a check never completes upstream.
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { S3Credentials } from '../../identify/s3-keys/s3-credentials.js';
import { AirlockError } from '../../lib/errors.js';
import type { Principal } from '../../model/principal.js';
import type { Refusal } from '../../pipeline/stage-contract.js';
import type { Exchange, SurfaceFactory } from '../../pipeline/surface.js';
import { factsOf, filterBucketList, sendAnswer, type ObjectFacts } from './answers.js';
import type { HeldBackTransform } from './body/held-back.js';
import { bodyPlan, type BodyPlan } from './body-plan.js';
import type { S3ResourceConfig } from './config.js';
import { Datasets } from './datasets.js';
import { plannedDecisions, type PlannedDecision } from './decisions.js';
import { listObjectsV2, ListTokens } from './list-objects.js';
import { classifyOperation, copySource, type S3Operation } from './operations.js';
import { S3Failure, s3CodeOf, sendS3Error } from './s3-error.js';
import { readSigV4Auth } from './sigv4/auth-params.js';
import { parseQuery, percentDecode } from './sigv4/encoding.js';
import { SigV4Verifier, type Verified } from './sigv4/verify.js';
import { upstreamHeaders } from './upstream-headers.js';
import { S3Upstream, type UpstreamCall } from './upstream.js';

/** One request, decided and ready to forward. */
interface Allowed {
  readonly ex: Exchange;
  readonly principal: Principal;
  readonly op: S3Operation;
  readonly call: UpstreamCall;
  readonly plan: BodyPlan | undefined;
  readonly fields: Record<string, unknown>;
}

export const s3Surface: SurfaceFactory<S3ResourceConfig> = (config, { stages, store, sealer }) => {
  if (!sealer) throw new Error(`resources.${config.name}: s3 resources need the key-encryption key (s3_keys.kek_file)`);
  const credentials = new S3Credentials(store, sealer);
  const verifier = new SigV4Verifier(config.region, (id) => credentials.lookup(id), () => stages.now().getTime());
  const datasets = new Datasets(config.name, config.datasets);
  const upstream = new S3Upstream(config);
  const tokens = new ListTokens(config.inject.aws.secret_access_key, config.name);
  const mount = `/${config.name}`;

  function send(ex: Exchange, r: Refusal, failure?: S3Failure, bodyPending = false): number {
    const { s3Code, status } = s3CodeOf(r, failure);
    return sendS3Error(
      ex.res,
      { s3Code, status, message: r.detail, requestId: ex.requestId, airlockCode: r.code, approvalId: r.approvalId, closeConnection: bodyPending, resource: ex.path },
      ex.req.method === 'HEAD',
    );
  }

  /** A refusal before any decision (bad signature, unknown key, malformed request): recorded, then rendered. */
  async function refuseEarly(ex: Exchange, err: unknown, principal?: Principal): Promise<void> {
    const failure = err instanceof S3Failure ? err : new S3Failure('InternalError', 500, 'the request could not be read', 'internal');
    const r = await stages.refuse(ex, { code: failure.code, detail: failure.message, principal });
    send(ex, r, failure, hasBody(ex.req.headers));
  }

  async function authenticate(ex: Exchange): Promise<{ verified: Verified; query: NonNullable<ReturnType<typeof parseQuery>> }> {
    const query = parseQuery(ex.query.slice(1));
    if (!query) throw new S3Failure('InvalidArgument', 400, 'the query string is malformed');
    const auth = readSigV4Auth(ex.req.headers, query);
    if (!auth) throw new S3Failure('AccessDenied', 403, 'Anonymous access is not allowed: sign with an access key from `airlock keys create --s3`', 'unauthenticated');
    const path = percentDecode(mount + ex.path);
    if (path === undefined) throw new S3Failure('InvalidURI', 400, "Couldn't parse the specified URI.");
    const verified = await verifier.verify({ method: ex.req.method ?? 'GET', path, query, headers: ex.req.headersDistinct }, auth);
    return { verified, query };
  }

  /** May this caller read the object / list the prefix? For filtering listings: no record, any failure is no. */
  const mayRead = (ex: Exchange, principal: Principal, bucket: string) => (key: string) =>
    stages.decideOnly(ex, principal, datasets.request('dataset.read', { bucket, key }, { operation: 'GetObject' })).effect === 'allow';
  const mayList = (ex: Exchange, principal: Principal, bucket?: string) => (prefix: string) =>
    stages.decideOnly(ex, principal, datasets.request('dataset.list', { bucket: bucket ?? prefix, key: bucket ? prefix : '' }, { operation: 'ListObjectsV2', prefix: bucket ? prefix : '' })).effect === 'allow';

  async function forward(a: Allowed): Promise<void> {
    const { ex, op, plan } = a;
    const upstreamStarted = performance.now();
    let check: HeldBackTransform | undefined;
    let call = a.call;
    if (plan) {
      check = plan.check();
      pipeline(ex.req, check).catch(() => undefined); // a failure reaches the upstream request through `check`
      call = { ...call, body: check };
    }
    let facts: ObjectFacts = {};
    const done = (status: number, bytes: number, error?: string) =>
      stages.outcome(ex, { status, bytes, error, upstreamStarted, fields: { ...a.fields, ...facts, ...(check ? { received_bytes: check.bytes } : {}) } });
    try {
      if (op.name === 'ListBuckets' || op.name === 'ListObjectsV2') {
        const listed = op.name === 'ListBuckets'
          ? await upstream.fetch(call).then((answer) => (answer.status === 200 ? { ...answer, xml: filterBucketList(answer.body.toString('utf8'), mayList(ex, a.principal)) } : answer))
          : await listObjectsV2(op.bucket!, op.params, { fetch: (params) => upstream.fetch({ ...call, params }), mayRead: mayRead(ex, a.principal, op.bucket!), mayList: mayList(ex, a.principal, op.bucket), tokens });
        const answer = 'xml' in listed
          ? { status: 200, headers: { 'content-type': 'application/xml' }, body: Buffer.from(listed.xml) }
          : listed;
        facts = 'xml' in listed ? {} : factsOf(answer.status, answer.headers, answer.body.toString('utf8'));
        return done(answer.status, sendAnswer(ex.res, ex.requestId, answer));
      }
      if (op.name === 'CopyObject' || op.name === 'UploadPartCopy' || op.name === 'CompleteMultipartUpload') {
        const answer = await upstream.fetch(call);
        facts = factsOf(answer.status, answer.headers, answer.body.toString('utf8'));
        return done(answer.status, sendAnswer(ex.res, ex.requestId, answer), facts.s3_error);
      }
      const outcome = await upstream.relay(call, ex.res, ex.requestId, (status, headers) => (facts = factsOf(status, headers)));
      const refused = check?.failure;
      done(outcome.status, outcome.bytes, refused ? `body_refused:${refused.s3Code}` : outcome.error);
    } catch (err) {
      const refused = check?.failure;
      if (refused) {
        // The body failed a check: the upstream request was aborted before its last byte.
        const status = send(ex, { code: refused.code, detail: refused.message }, refused);
        return done(status, 0, `body_refused:${refused.s3Code}`);
      }
      if (err instanceof S3Failure) {
        const status = send(ex, { code: err.code, detail: err.message }, err);
        return done(status, 0, err.s3Code);
      }
      const code = err instanceof AirlockError ? err.code : 'upstream_unavailable';
      const status = send(ex, { code, detail: err instanceof AirlockError ? err.message : 'the store could not be reached' });
      done(status, 0, code);
    }
  }

  return {
    rawPath: true,
    async handle(ex) {
      const { req } = ex;
      const method = req.method ?? 'GET';
      let authenticated;
      try {
        authenticated = await authenticate(ex);
      } catch (err) {
        return refuseEarly(ex, err);
      }
      const { verified, query } = authenticated;
      const { principal } = verified;
      let op: S3Operation;
      let plan: BodyPlan | undefined;
      let decisions: PlannedDecision[];
      let headers: Record<string, string>;
      try {
        const copyHeader = req.headers['x-amz-copy-source'];
        op = classifyOperation(method, ex.path, query, copyHeader !== undefined);
        plan = bodyPlan(req.headers, verified, op.upload);
        headers = upstreamHeaders(req.headers, plan?.awsChunked ?? false);
        const copyFrom = typeof copyHeader === 'string' ? copySource(copyHeader) : undefined;
        decisions = plannedDecisions({ method, op, headers: req.headers, body: plan, copyFrom, accessKeyId: verified.auth.accessKeyId }, datasets);
      } catch (err) {
        return refuseEarly(ex, err, principal);
      }
      const presented = req.headers['airlock-approval'];
      for (const d of decisions) {
        const verdict = await stages.authorize(ex, {
          principal,
          request: d.request,
          method,
          path: ex.path,
          bound: d.bound,
          presentedApproval: typeof presented === 'string' ? presented : undefined,
          body: undefined,
          fields: plan?.sha256 ? { ...d.fields, payload_sha256: plan.sha256 } : d.fields,
        });
        if (!verdict.allowed) return void send(ex, verdict.refusal, undefined, plan !== undefined);
      }
      const call: UpstreamCall = { method, bucket: op.bucket, key: op.key, params: op.params, headers, payloadHash: plan?.upstreamHash, contentLength: plan?.length };
      await forward({ ex, principal, op, call, plan, fields: decisions.at(-1)!.fields });
    },
    async close() {
      credentials.close();
      await upstream.close();
    },
  };
};

function hasBody(headers: IncomingHttpHeaders): boolean {
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}
