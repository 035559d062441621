// What every classifier receives: the parts of an HTTP request a decision may depend on.
import type { IncomingHttpHeaders } from 'node:http';
import type { ActionRequest } from '../model/action-request.js';

export interface HttpRequestFacts {
  /** The configured resource the request is mounted under. */
  readonly resourceName: string;
  readonly method: string;
  /** The path after `/<resource>`, with a leading `/`, without the query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The whole request body (read under the size limit); empty when there is none. */
  readonly body: Buffer;
}

/** Turns a request into the action it would perform; throws AirlockError('bad_request') on input it cannot read. */
export type Classifier = (facts: HttpRequestFacts) => ActionRequest;
