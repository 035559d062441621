// Control-plane routes as data: each names the `admin.*` action the bundle decides before the
// handler runs, so no route can be added without a policy decision in front of it, and carries its
// documentation, so none can be added without its entry in /api/v1/openapi.json.
import type { z } from 'zod';
import type { JsonSchema } from './api/openapi-schemas.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Decision } from '../model/decision.js';
import type { CedarRecord, EntityRef } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import type { RouteObject } from './object-scope.js';

export interface RouteContext {
  readonly principal: Principal;
  readonly decision: Decision;
  readonly context: CedarRecord;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  /** The request's headers (a presented `Airlock-Approval`). */
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  /** For list routes: whether the caller may see this object (the route's action, decided on it). */
  readonly visible: (object: RouteObject) => boolean;
}

export interface RouteResult {
  readonly status: number;
  /** JSON-serialised unless `text` is set. */
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteTarget {
  readonly action?: string;
  readonly resource: EntityRef;
  /** Parent `Resource::"<name>"` of the resource, if any. */
  readonly resourceName?: string;
  /** Added to the common context. */
  readonly context?: CedarRecord;
  /** Facts for the decision record (a gate's run). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface ResponseDoc {
  readonly description: string;
  readonly schema?: JsonSchema;
  /** The media type of a text body. */
  readonly text?: string;
  /** Response headers worth knowing, by name: their description. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What /api/v1/openapi.json says of a route. Path parameters come from the pattern. */
export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  readonly query?: Readonly<Record<string, { readonly description: string; readonly schema: JsonSchema; readonly required?: boolean }>>;
  /** The JSON body, as the route validates it. */
  readonly body?: z.ZodType;
  /** Answers other than problems, by status: a JSON body's schema, or a text body's media type. */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** `/api/v1/approvals/:id` */
  readonly pattern: string;
  readonly action: string;
  /**
   * What is decided, when it is not `action` on `Airlock::"control-plane"`: routes that act on a
   * domain object (a grant of a group, a pipeline gate) name it, so policies can be written about
   * that object. Throws AirlockError('bad_request') on a body it cannot read.
   */
  readonly target?: (params: Readonly<Record<string, string>>, body: unknown) => RouteTarget | Promise<RouteTarget>;
  /**
   * The one object the route acts on (`:id`), decided on as well as the control plane; undefined
   * when there is none. A caller the bundle does not let act on it hears the same as for a
   * missing one, so refusals reveal nothing of other principals' objects.
   */
  readonly object?: { readonly name: string; readonly load: (params: Readonly<Record<string, string>>) => Promise<RouteObject | undefined> };
  /** The handler takes `approval_required` decisions itself (by opening an approval). */
  readonly handlesApproval?: boolean;
  readonly handler: (ctx: RouteContext) => Promise<RouteResult>;
  readonly doc: RouteDoc;
}

export interface MatchedRoute {
  readonly route: Route;
  readonly params: Record<string, string>;
}

export function matchRoute(routes: readonly Route[], method: string, pathname: string): MatchedRoute | 'method' | undefined {
  let wrongMethod = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, pathname);
    if (!params) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    wrongMethod = true;
  }
  return wrongMethod ? 'method' : undefined;
}

function matchPattern(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (!g) return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}
