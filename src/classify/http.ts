// Classifier for plain HTTP APIs: the method picks http.read / http.write / http.delete, and the
// path names the endpoint. Unknown methods are writes, so a policy that only permits reads
// cannot be side-stepped with an unusual verb.
import type { ActionRequest } from '../model/action-request.js';
import type { Classifier, HttpRequestFacts } from './types.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function httpAction(method: string): string {
  if (READ_METHODS.has(method)) return 'http.read';
  if (method === 'DELETE') return 'http.delete';
  return 'http.write';
}

export const classifyHttp: Classifier = (facts: HttpRequestFacts): ActionRequest => ({
  action: httpAction(facts.method),
  resource: { type: 'Endpoint', id: `${facts.resourceName}${facts.path}` },
  resourceName: facts.resourceName,
  context: {},
});
