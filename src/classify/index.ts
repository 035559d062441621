// One classifier per resource type; the pipeline looks them up here and nowhere else.
import type { ResourceConfig } from '../config/schema.js';
import { classifyHttp } from './http.js';
import { classifyOpenAi } from './openai.js';
import type { Classifier } from './types.js';

export type { Classifier, HttpRequestFacts } from './types.js';

const CLASSIFIERS: Record<ResourceConfig['type'], Classifier> = {
  openai: classifyOpenAi,
  http: classifyHttp,
};

export function classifierFor(type: ResourceConfig['type']): Classifier {
  return CLASSIFIERS[type];
}
