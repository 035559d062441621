// ListObjectsV2 filtered to what the caller may read. Each key of the store's answer is decided as
// `dataset.read` of that object, each common prefix as `dataset.list` of it; the rest are left out.
// A page whose keys were all left out must not end a listing early, and MaxKeys still bounds a
// page, so the gateway asks the store for at most the keys still missing and goes on to the next
// store page until the client's page is full or the store has no more (a bounded number of
// rounds; past it the page is returned short, truncated, as S3 itself may). Continuation tokens
// are the store's, sealed (AES-GCM under a key derived from the gateway's store credential): a
// store token may spell out the last key it read, which the caller may not be allowed to see.
import { createHmac } from 'node:crypto';
import { aesGcmSealer, type SecretSealer } from '../../identify/s3-keys/secret-sealer.js';
import { S3Failure } from './s3-error.js';
import type { BufferedAnswer } from './upstream.js';
import { xmlBlocks, xmlEscape, xmlText, xmlUnescape } from './xml.js';

/** Store pages read for one client page at most. */
const MAX_ROUNDS = 16;
const MAX_KEYS = 1000;

export interface ListDeps {
  /** One ListObjectsV2 call to the store with these parameters. */
  readonly fetch: (params: ReadonlyMap<string, string>) => Promise<BufferedAnswer>;
  readonly mayRead: (key: string) => boolean;
  readonly mayList: (prefix: string) => boolean;
  readonly tokens: ListTokens;
}

export class ListTokens {
  private readonly sealer: SecretSealer;

  /** `secret` is the gateway's own store credential: every replica derives the same key. */
  constructor(secret: string, resourceName: string) {
    this.sealer = aesGcmSealer(createHmac('sha256', secret).update(`airlock list tokens\n${resourceName}`).digest());
  }

  seal(upstreamToken: string, bucket: string): string {
    return this.sealer.seal(upstreamToken, bucket);
  }

  open(token: string, bucket: string): string {
    try {
      return this.sealer.open(token, bucket);
    } catch {
      throw new S3Failure('InvalidArgument', 400, 'The continuation token provided is incorrect');
    }
  }
}

/** The filtered page as S3's XML, or the store's own answer when it refused. */
export async function listObjectsV2(bucket: string, params: ReadonlyMap<string, string>, deps: ListDeps): Promise<BufferedAnswer | { status: 200; xml: string }> {
  const maxKeys = maxKeysOf(params.get('max-keys'));
  const clientToken = params.get('continuation-token');
  let token = clientToken === undefined ? undefined : deps.tokens.open(clientToken, bucket);
  const urlEncoded = params.get('encoding-type') === 'url';
  const decode = (s: string) => (urlEncoded ? decodeURIComponent(xmlUnescape(s).replace(/\+/g, ' ')) : xmlUnescape(s));
  const contents: string[] = [];
  const prefixes: string[] = [];
  let first: string | undefined;
  let next: string | undefined;
  for (let round = 0; maxKeys > 0 && round < MAX_ROUNDS; round++) {
    const ask = new Map(params);
    ask.set('max-keys', String(maxKeys - contents.length - prefixes.length));
    if (token === undefined) ask.delete('continuation-token');
    else ask.set('continuation-token', token);
    const answer = await deps.fetch(ask);
    if (answer.status !== 200) return answer;
    const xml = answer.body.toString('utf8');
    first ??= xml;
    for (const block of xmlBlocks(xml, 'Contents')) {
      const key = xmlText(block, 'Key');
      if (key !== undefined && deps.mayRead(decode(key))) contents.push(block);
    }
    for (const block of xmlBlocks(xml, 'CommonPrefixes')) {
      const prefix = xmlText(block, 'Prefix');
      if (prefix !== undefined && deps.mayList(decode(prefix))) prefixes.push(block);
    }
    next = xmlText(xml, 'IsTruncated') === 'true' ? xmlText(xml, 'NextContinuationToken') : undefined;
    if (next === undefined || contents.length + prefixes.length >= maxKeys) break;
    token = xmlUnescape(next);
  }
  return { status: 200, xml: render({ first, bucket, params, maxKeys, contents, prefixes, next: next === undefined ? undefined : deps.tokens.seal(xmlUnescape(next), bucket) }) };
}

function maxKeysOf(v: string | undefined): number {
  if (v === undefined) return MAX_KEYS;
  if (!/^\d{1,9}$/.test(v)) throw new S3Failure('InvalidArgument', 400, 'max-keys must be a non-negative integer');
  return Math.min(Number(v), MAX_KEYS);
}

interface Page {
  readonly first: string | undefined;
  readonly bucket: string;
  readonly params: ReadonlyMap<string, string>;
  readonly maxKeys: number;
  readonly contents: readonly string[];
  readonly prefixes: readonly string[];
  readonly next: string | undefined;
}

/** The page, echoing the store's own elements (already encoded as the client asked) where they exist. */
function render(p: Page): string {
  const echo = (name: string, fallback?: string) => {
    const raw = p.first === undefined ? undefined : xmlText(p.first, name);
    const text = raw ?? (fallback === undefined ? undefined : xmlEscape(fallback));
    return text === undefined ? '' : `<${name}>${text}</${name}>`;
  };
  const token = p.params.get('continuation-token');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    echo('Name', p.bucket) + echo('Prefix', p.params.get('prefix') ?? '') + echo('Delimiter') + echo('StartAfter') + echo('EncodingType') +
    (token !== undefined ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '') +
    `<MaxKeys>${p.maxKeys}</MaxKeys><KeyCount>${p.contents.length + p.prefixes.length}</KeyCount>` +
    `<IsTruncated>${p.next !== undefined}</IsTruncated>` +
    (p.next !== undefined ? `<NextContinuationToken>${p.next}</NextContinuationToken>` : '') +
    p.contents.join('') + p.prefixes.join('') +
    '</ListBucketResult>'
  );
}
