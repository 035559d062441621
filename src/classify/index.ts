// The classifiers of the resource types the http surface serves (openai, http); other surfaces
// classify in their own dialect (their classifiers sit beside these, one file per type).
import type { HttpResourceConfig } from '../proxies/http/config.js';
import { classifyHttp } from './http.js';
import { classifyOpenAi } from './openai.js';
import type { Classifier } from './types.js';

export type { Classifier, HttpRequestFacts } from './types.js';

const CLASSIFIERS: Record<HttpResourceConfig['type'], Classifier> = {
  openai: classifyOpenAi,
  http: classifyHttp,
};

export function classifierFor(type: HttpResourceConfig['type']): Classifier {
  return CLASSIFIERS[type];
}
