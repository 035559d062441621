// The classify stage's result: what the request would do, on what, in which circumstances.
import type { CedarRecord, EntityRef } from './entity.js';

export interface ActionRequest {
  /** The action id without its type, e.g. `model.invoke` for `Action::"model.invoke"`. */
  readonly action: string;
  readonly resource: EntityRef;
  /** The configured resource the request goes through: parent `Resource::"<name>"` of `resource`. */
  readonly resourceName: string;
  /** Context attributes added by the resource type (model, stream, ...); the common ones are added by the pipeline. */
  readonly context: CedarRecord;
}
