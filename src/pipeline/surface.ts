// What a surface is: the protocol edge of one resource type (openai and http, later mcp,
// kubernetes, s3). A surface reads its protocol, turns each request into ActionRequests, hands
// them to the shared stages (identify, authorize, outcome) and renders their verdicts in its
// client's own dialect. It never decides, opens approvals or writes decision records itself, so
// every surface gets the same policy, obligations and audit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResourceConfig } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import type { CedarRecord } from '../model/entity.js';
import type { IdentityAssertions } from '../identify/assertion.js';
import type { SecretSealer } from '../identify/s3-keys/secret-sealer.js';
import type { LiveSecrets } from '../secrets/live-secrets.js';
import type { Store } from '../store/ports.js';
import type { RequestTrace } from '../telemetry/tracer.js';
import type { ToolPins } from '../proxies/mcp/pins/tool-pins.js';
import type { Stages } from './stage-contract.js';

/** One data-plane request, as the router hands it to the surface of its resource. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Sent back as `Airlock-Request-Id`; every record of this request carries it. */
  readonly requestId: string;
  /** performance.now() when the request arrived. */
  readonly started: number;
  readonly clientIp: string;
  readonly mount: MountedResource;
  /** The path after `/<resource>`, with a leading `/`, without the query; exactly what is forwarded. */
  readonly path: string;
  /** The query string with its `?`, or empty. */
  readonly query: string;
  /** The request's trace, when telemetry is on: stages add their spans to it. */
  readonly trace?: RequestTrace;
}

/** An HTTP upgrade (WebSocket, SPDY) for a surface that relays them. */
export interface UpgradeExchange extends Omit<Exchange, 'res'> {
  readonly socket: Duplex;
  readonly head: Buffer;
}

export interface Surface {
  /**
   * True when the surface takes the path as the client sent it and applies its own rules (S3 keys
   * may hold any byte, and SigV4 signs the path as sent); otherwise the router normalises it.
   */
  readonly rawPath?: boolean;
  /** Answers the request, allowed or refused; rejects only on a bug (the router then answers 500). */
  handle(ex: Exchange): Promise<void>;
  /** Upgrade requests; a surface without it refuses them. */
  upgrade?(ex: UpgradeExchange): Promise<void>;
  /**
   * Ends streams that never end by themselves (an MCP GET stream), so a draining gateway does not
   * wait its whole grace period for them; called once, when draining starts.
   */
  drain?(): void;
  /** Stops upstream connections and child processes; called once, after the listeners drained. */
  close(): Promise<void>;
}

/** What a surface is built with. */
export interface MountContext {
  readonly stages: Stages;
  readonly log: Logger;
  /** `limits.max_body_bytes`: the most of a body a surface may hold in memory to decide on it. */
  readonly maxBodyBytes: number;
  /** The gateway's store, for surfaces that keep state of their own (token counts, pins, quotas). */
  readonly store: Store;
  /** Signs identity assertions for resources that ask for them. */
  readonly assertions?: IdentityAssertions;
  /** What `mcp` surfaces share: tool pins, and the OIDC issuers their OAuth metadata names. */
  readonly mcp?: { readonly pins: ToolPins; readonly issuers: readonly string[]; readonly baseDir: string };
  /** Opens sealed S3 secrets (s3_keys.kek_file); present when an `s3` resource is configured. */
  readonly sealer?: SecretSealer;
  /**
   * Set when the config references secrets. Credential values in the config (`inject`) are then
   * live: read them at use, never once at construction; `generation` moves whenever one changes,
   * for a surface that caches what it builds from them.
   */
  readonly secrets?: Pick<LiveSecrets, 'generation'>;
  /** The config file's directory: where relative paths in a resource's config (a CA file) are found. */
  readonly baseDir?: string;
}

/** Builds the surface of one resource from its own config (the union member of its `type`). */
export type SurfaceFactory<C extends ResourceConfig = ResourceConfig> = (config: C, ctx: MountContext) => Surface;

/** A configured resource with its surface. */
export interface MountedResource {
  readonly config: ResourceConfig;
  readonly surface: Surface;
  /** Attributes of `Resource::"<name>"`. */
  readonly attributes: CedarRecord;
}
