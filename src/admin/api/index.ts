// Every /api/v1 route of the control plane, in one table: what the control plane serves and what
// /api/v1/openapi.json describes are both this list.
import type { KeyObject } from 'node:crypto';
import type { ApprovalService } from '../../approvals/service.js';
import type { GrantService } from '../../approvals/grants/service.js';
import type { Checkpointer } from '../../audit/checkpointer.js';
import type { AuditWriter } from '../../audit/writer.js';
import type { AccessMap } from '../../lineage/access-map.js';
import type { AuditStore } from '../../store/ports.js';
import type { Route } from '../routes.js';
import { approvalRoutes } from './approval-routes.js';
import { auditRoutes } from './audit-routes.js';
import { gateRoutes } from './gate-routes.js';
import { grantRoutes } from './grant-routes.js';
import { lineageRoutes } from './lineage-routes.js';
import { pinRoutes } from './pin-routes.js';
import type { ToolPins } from '../../proxies/mcp/pins/tool-pins.js';

export interface ApiDeps {
  readonly auditStore: AuditStore;
  readonly checkpointer: Checkpointer;
  readonly approvals: ApprovalService;
  readonly grants: GrantService;
  /** Base URL of approval pages (known once the control plane listens). */
  readonly consoleUrl: () => string;
  readonly accessMap: AccessMap;
  readonly audit: AuditWriter;
  readonly signingKey: KeyObject;
  readonly now: () => Date;
  readonly pins: ToolPins;
}

export function apiRoutes(deps: ApiDeps): Route[] {
  return [
    ...auditRoutes(deps.auditStore, deps.checkpointer),
    ...approvalRoutes(deps.approvals),
    ...grantRoutes(deps.grants),
    ...gateRoutes(deps.approvals, deps.consoleUrl, deps.accessMap),
    ...lineageRoutes({ map: deps.accessMap, audit: deps.audit, signingKey: deps.signingKey, now: deps.now }),
    ...pinRoutes(deps.pins),
  ];
}
