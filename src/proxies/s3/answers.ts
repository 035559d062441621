// The answers the gateway reads before relaying: a bucket list filtered to the buckets the caller
// may list, and the results of copies and completed multipart uploads, whose ETag and version the
// outcome record keeps (S3 may answer these with 200 and an <Error> body, which is not a success).
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { clientResponseHeaders } from '../http/headers.js';
import type { BufferedAnswer } from './upstream.js';
import { xmlBlocks, xmlText, xmlUnescape } from './xml.js';

/** The store's bucket list with only the buckets `mayList` allows (and no paging token, which would name one). */
export function filterBucketList(xml: string, mayList: (bucket: string) => boolean): string {
  const start = xml.indexOf('<Buckets>');
  const end = xml.indexOf('</Buckets>');
  const kept = xmlBlocks(xml, 'Bucket').filter((b) => {
    const name = xmlText(b, 'Name');
    return name !== undefined && mayList(xmlUnescape(name));
  });
  const rest = start === -1 || end === -1 ? xml : `${xml.slice(0, start)}<Buckets>${kept.join('')}</Buckets>${xml.slice(end + '</Buckets>'.length)}`;
  return rest.replace(/<ContinuationToken>[^<]*<\/ContinuationToken>/, '');
}

/** What the outcome record says of an object the store answered about. */
export interface ObjectFacts {
  readonly etag?: string;
  readonly version_id?: string;
  readonly object_bytes?: number;
  /** S3's error code, when the store refused (or answered 200 with an <Error>). */
  readonly s3_error?: string;
}

export function factsOf(status: number, headers: IncomingHttpHeaders, body?: string): ObjectFacts {
  const header = (name: string) => {
    const v = headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const length = header('content-length');
  const errorCode = body === undefined ? undefined : xmlBlocks(body, 'Error').map((e) => xmlText(e, 'Code'))[0];
  const etag = header('etag') ?? (body === undefined ? undefined : xmlText(body, 'ETag'));
  return {
    ...(etag !== undefined ? { etag: xmlUnescape(etag) } : {}),
    ...(header('x-amz-version-id') !== undefined ? { version_id: header('x-amz-version-id') } : {}),
    ...(length !== undefined && status < 300 && body === undefined ? { object_bytes: Number(length) } : {}),
    ...(errorCode !== undefined ? { s3_error: errorCode } : status >= 300 ? { s3_error: `HTTP ${status}` } : {}),
  };
}

/** Writes a read answer (the store's, or one the gateway rebuilt); returns the bytes of its body. */
export function sendAnswer(res: ServerResponse, requestId: string, answer: BufferedAnswer, body: Buffer = answer.body): number {
  const headers = clientResponseHeaders(answer.headers);
  delete headers['content-length'];
  res.writeHead(answer.status, { ...headers, 'content-length': body.length, 'airlock-request-id': requestId });
  res.end(body);
  return body.length;
}
