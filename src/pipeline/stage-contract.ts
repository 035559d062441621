// What every surface sees of the shared stages: where a request is decided, what it asks to be
// authorized, the verdict and refusal it renders in its own dialect, and the Stages themselves.
// The implementation is stages.ts; surfaces depend on this file only.
import type { BoundRequest } from '../approvals/types.js';
import type { GatewayMetrics } from '../admin/metrics.js';
import type { ErrorCode } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import type { CedarRecord } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import type { Exchange, MountedResource } from './surface.js';

/** Where a refusal happened: a request, with the resource it named if there is one. */
export type RequestSite = Pick<Exchange, 'requestId' | 'started' | 'clientIp'> & { readonly mount?: MountedResource };

/** A request being decided: an exchange, or an upgrade (which has a socket, not a response). */
export type DecisionSite = Omit<Exchange, 'res'>;

/** A request refused: what the surface renders. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly detail: string;
  /** Challenge headers (`WWW-Authenticate`) for 401 answers. */
  readonly headers?: Record<string, string>;
  /** The approval opened for (or presented by) this request. */
  readonly approvalId?: string;
}

export type Verdict =
  | { readonly allowed: true; readonly decision: Decision; readonly context: CedarRecord; readonly approvalId?: string }
  | { readonly allowed: false; readonly refusal: Refusal; readonly decision?: Decision };

/** The request body as far as the audit record may see it (audit.capture decides how much). */
export interface RecordedBody {
  readonly bytes: Buffer;
  readonly contentType?: string;
  readonly sha256?: string;
}

export interface AuthorizeInput {
  readonly principal: Principal;
  readonly request: ActionRequest;
  /** The method and path the common context shows (`context.method`, `context.path`). */
  readonly method: string;
  readonly path: string;
  /** What an approval opened or spent for this request is bound to. */
  readonly bound: BoundRequest;
  /** The approval the client presents (`Airlock-Approval`, or the surface's own place for it). */
  readonly presentedApproval: string | undefined;
  readonly body: RecordedBody | undefined;
  /** Surface facts for the decision record (a tool call's session, an object's bucket and key). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The identical request spends an approval granted for it without presenting its id (see approval-gate.ts). */
  readonly spendIdenticalRetry?: boolean;
  /** Overrides approvals.hold_seconds for this request (0: never wait). */
  readonly holdSeconds?: number;
}

/** A refusal made before any decision: no credential, no such resource, unreadable input. */
export interface EarlyRefusal extends Refusal {
  readonly principal?: Principal;
  readonly request?: ActionRequest;
}

export interface OutcomeInput {
  /** The upstream's status; 0 when there was none. */
  readonly status: number;
  readonly bytes: number;
  readonly error?: string;
  /** performance.now() when the upstream request started, for the upstream latency metric. */
  readonly upstreamStarted?: number;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface Stages {
  /** Resolves to the caller or rejects with AirlockError('unauthenticated'). */
  identify(authorization: string | undefined): Promise<Principal>;
  /** Decides the request, settles its obligations and records the decision. Never rejects. */
  authorize(ex: DecisionSite, input: AuthorizeInput): Promise<Verdict>;
  /** Records a refusal made before a decision; the refusal to render (audit_unavailable when it could not be recorded). */
  refuse(site: RequestSite, refusal: EarlyRefusal): Promise<Refusal>;
  /** Records what became of an allowed request once its response ended (queued, never awaited). */
  outcome(ex: DecisionSite, outcome: OutcomeInput): void;
  /**
   * Appends a record of the surface's own kind linked to the request (an exec session that
   * started), queued like an outcome; `fields` never shadow the record's own keys.
   */
  event(ex: DecisionSite, kind: string, fields: Readonly<Record<string, unknown>>): void;
  /**
   * A decision with no record and no obligations settled: for filtering what a listing shows
   * (each entry the caller may not use is left out). Any failure is deny.
   */
  decideOnly(ex: Exchange, principal: Principal, request: ActionRequest): Decision;
  /** Writes what is still counted (aggregated refusals) when it keeps the count itself; called once at shutdown. */
  close(): void;
  readonly now: () => Date;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
}
