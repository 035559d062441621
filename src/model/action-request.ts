// The classify stage's result: what the request would do, on what, in which circumstances.
import type { CedarRecord, EntityRef } from './entity.js';

/** An entity between a resource and its container, with the attributes policies may read. */
export interface AncestorEntity extends EntityRef {
  readonly attrs: CedarRecord;
}

export interface ActionRequest {
  /** The action id without its type, e.g. `model.invoke` for `Action::"model.invoke"`. */
  readonly action: string;
  readonly resource: EntityRef;
  /** The configured resource the request goes through: parent `Resource::"<name>"` of `resource`. */
  readonly resourceName: string;
  /**
   * Entities between `resource` and its container `Resource::"<resourceName>"`, nearest first (a
   * dataset's prefix, then its bucket; an object's namespace): each is the parent of the one
   * before it, the last a child of the container. None of them may be a `Resource` entity.
   */
  readonly ancestors?: readonly AncestorEntity[];
  /** Attributes of `resource` itself (an approval's requester); entities.json adds to them. */
  readonly attributes?: CedarRecord;
  /** Context attributes added by the resource type (model, stream, ...); the common ones are added by the pipeline. */
  readonly context: CedarRecord;
}
