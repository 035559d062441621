// Classify stage for S3, part two: the entities a decision is made on. An object is
// `Dataset::"<name>/<bucket>/<key>"`; its parents are the longest configured dataset prefix that
// holds it (`DatasetPrefix::"<name>/<bucket>/<prefix>"`, with the prefix's attributes, which the
// object inherits: `resource.sensitivity`), then `Bucket::"<name>/<bucket>"`, then
// `Resource::"<name>"`. A listing is decided on its prefix the same way.
import type { ActionRequest, AncestorEntity } from '../../model/action-request.js';
import type { CedarRecord } from '../../model/entity.js';
import type { DatasetConfig } from './config.js';

export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

export class Datasets {
  /** Per bucket, its datasets' prefixes, longest first. */
  private readonly byBucket = new Map<string, { prefix: string; entity: AncestorEntity }[]>();

  constructor(
    private readonly resourceName: string,
    datasets: readonly DatasetConfig[],
  ) {
    for (const d of datasets) {
      const list = this.byBucket.get(d.bucket) ?? [];
      list.push({ prefix: d.prefix, entity: { type: 'DatasetPrefix', id: `${resourceName}/${d.bucket}/${d.prefix}`, attrs: d.attributes as CedarRecord } });
      list.sort((a, b) => b.prefix.length - a.prefix.length);
      this.byBucket.set(d.bucket, list);
    }
  }

  /** `<name>/<bucket>/<key>`: the object's entity id, and how records and `context.source` name it. */
  objectId(o: ObjectRef): string {
    return `${this.resourceName}/${o.bucket}/${o.key}`;
  }

  /** The dataset prefix entity holding the object, if one is configured. */
  datasetOf(o: ObjectRef): AncestorEntity | undefined {
    return this.byBucket.get(o.bucket)?.find((d) => o.key.startsWith(d.prefix))?.entity;
  }

  /** A request on one object (or, for a listing, on the prefix listed). */
  request(action: string, o: ObjectRef, context: CedarRecord): ActionRequest {
    const dataset = this.datasetOf(o);
    const bucket: AncestorEntity = { type: 'Bucket', id: `${this.resourceName}/${o.bucket}`, attrs: {} };
    return {
      action,
      resource: { type: 'Dataset', id: this.objectId(o) },
      resourceName: this.resourceName,
      ancestors: dataset ? [dataset, bucket] : [bucket],
      attributes: { bucket: o.bucket, key: o.key },
      context,
    };
  }

  /** A request on the whole resource (ListBuckets). */
  serviceRequest(action: string, context: CedarRecord): ActionRequest {
    return { action, resource: { type: 'Resource', id: this.resourceName }, resourceName: this.resourceName, context };
  }
}
