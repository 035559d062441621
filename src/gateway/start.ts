// Assembles one gateway process from a validated config: store, audit writer, identity, policy,
// resources, and the two listeners. `close()` drains in the order that loses nothing: stop
// accepting, let in-flight requests finish, flush the audit queue, then close the store.
import { approvalRoutes } from '../admin/api/approval-routes.js';
import { auditRoutes } from '../admin/api/audit-routes.js';
import { gateRoutes } from '../admin/api/gate-routes.js';
import { grantRoutes } from '../admin/api/grant-routes.js';
import { pinRoutes } from '../admin/api/pin-routes.js';
import { ToolPins } from '../proxies/mcp/pins/tool-pins.js';
import type { Notifier } from '../approvals/channels/index.js';
import { createControlPlane } from '../admin/control-plane.js';
import { GatewayMetrics } from '../admin/metrics.js';
import { createCapture } from '../audit/capture/index.js';
import { Checkpointer } from '../audit/checkpointer.js';
import { loadOrCreateSigningKey } from '../audit/log/index.js';
import { workerAppender } from '../audit/append/worker-appender.js';
import { AuditWriter } from '../audit/writer.js';
import { resolveFrom, type LoadedConfig } from '../config/load.js';
import { createIdentifier } from '../identify/index.js';
import type { Logger } from '../lib/logger.js';
import { createDataPlane } from '../pipeline/data-plane.js';
import { closeResources, drainResources, mountResources } from '../pipeline/resources.js';
import { createStages } from '../pipeline/stages.js';
import { LivePolicy, type ReloadResult } from '../policy/live-policy.js';
import { startShadowMode } from '../policy/shadow-mode.js';
import { openStore } from '../store/index.js';
import { notifyChannels, startApprovals } from './approvals.js';
import { slackChannels } from '../approvals/channels/index.js';
import { SLACK_INTERACTIONS_PATH, slackInteractions } from '../admin/integrations/slack-route.js';
import { startAuditSinks } from './audit-sinks.js';
import { drain, listen } from './listen.js';
import { errorMessage } from '../lib/errors.js';

export interface RunningGateway {
  readonly dataUrl: string;
  readonly adminUrl: string;
  /** Reloads the policy bundle now (SIGHUP). */
  reloadPolicy(): Promise<ReloadResult>;
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly log: Logger;
  readonly now?: () => Date;
}

export async function startGateway(loaded: LoadedConfig, opts: StartOptions): Promise<RunningGateway> {
  const { config } = loaded;
  const now = opts.now ?? (() => new Date());
  const log = opts.log;
  const store = await openStore(config.store, loaded.baseDir);
  const metrics = new GatewayMetrics(() => audit.depth);
  const appender = workerAppender(config.store, loaded.baseDir);
  const audit = new AuditWriter(appender, {
    onError: (err) => {
      metrics.auditErrors.inc();
      log.error({ err: errorMessage(err) }, 'audit commit failed');
    },
  });

  const checkpointer = new Checkpointer(store.audit, {
    origin: config.audit.origin,
    key: await loadOrCreateSigningKey(resolveFrom(loaded, config.audit.signing_key_file)),
    intervalMs: config.audit.checkpoint_seconds * 1000,
    onError: (err) => log.error({ err: errorMessage(err) }, 'checkpoint failed'),
  });

  const policy = await LivePolicy.start({
    dir: resolveFrom(loaded, config.policy.dir),
    record: (entry) => audit.append(entry),
    shared: { bundles: store.bundles, changes: store.changes },
    onResult(result) {
      metrics.policyReloads.inc({ outcome: result.outcome });
      if (result.outcome === 'refused') {
        log.error({ problems: result.problems }, 'policy bundle refused; the last good bundle keeps serving');
      } else if (result.outcome === 'loaded') {
        metrics.policyVersion.reset();
        metrics.policyVersion.set({ version: result.version }, 1);
        log.info({ version: result.version }, 'policy bundle loaded');
      }
    },
  });
  policy.watch();

  const baseIdentifier = await createIdentifier({ oidc: [...config.identity.oidc], keys: store.keys, changes: store.changes, baseDir: loaded.baseDir });
  const workflow = await startApprovals(store, audit, baseIdentifier, { ttlSeconds: config.approvals.ttl_seconds, log });
  const identifier = workflow.identifier;
  const shadow = await startShadowMode(policy.engine, {
    dir: config.policy.shadow_dir === undefined ? undefined : resolveFrom(loaded, config.policy.shadow_dir),
    record: (entry) => audit.append(entry),
    log,
    metrics,
  });
  const currentEngine = shadow.engine;

  const stages = createStages({
    identifier,
    engine: currentEngine,
    now,
    audit,
    metrics,
    log,
    auditMode: config.audit.mode,
    capture: createCapture(config.audit.capture),
    approvals: workflow.approvals,
    holdSeconds: config.approvals.hold_seconds,
  });
  // Alerts (a changed tool definition) go out through the approval channels once they exist.
  let notifier: Notifier | undefined;
  const pins = new ToolPins({
    store: store.toolPins,
    bundlePins: () => policy.bundle().pins,
    record: (entry) => audit.enqueue(entry),
    alert: (a) => notifier?.alert(a),
    log,
  });
  const issuers = config.identity.oidc.map((o) => o.issuer);
  const resources = mountResources(config.resources, { stages, log, maxBodyBytes: config.limits.max_body_bytes, mcp: { pins, issuers, baseDir: loaded.baseDir } });
  const dataPlane = createDataPlane({ resources, stages, log });
  // Links to approval pages; known once the control plane listens (its port may be chosen then).
  let consoleUrl = config.approvals.console_url ?? '';
  const controlPlane = createControlPlane({
    identifier,
    engine: currentEngine,
    audit,
    metrics,
    log,
    now,
    ready: () => store.ping(),
    routes: [
      ...auditRoutes(store.audit, checkpointer),
      ...approvalRoutes(workflow.approvals),
      ...grantRoutes(workflow.grants),
      ...gateRoutes(workflow.approvals, () => consoleUrl),
      ...pinRoutes(pins),
    ],
    integrations: {
      [SLACK_INTERACTIONS_PATH]: slackInteractions({
        channels: slackChannels(config.approvals.notify),
        engine: currentEngine,
        approvals: workflow.approvals,
        audit,
        withGrants: workflow.withGrants,
        now,
      }),
    },
  });

  await checkpointer.checkpoint();
  checkpointer.start();
  const sinks = startAuditSinks(config.audit.sinks, store.audit, audit, metrics, log, loaded.baseDir);
  const data = await listen(config.listen, dataPlane.handle, dataPlane.upgrade);
  const admin = await listen(config.admin.listen, controlPlane);
  consoleUrl = config.approvals.console_url ?? admin.url;
  notifier = notifyChannels(workflow, config.approvals.notify, { consoleUrl, audit, metrics, log });
  log.info({ data: data.url, admin: admin.url }, 'airlock is listening');

  return {
    dataUrl: data.url,
    adminUrl: admin.url,
    reloadPolicy: () => policy.reload(),
    async close(graceMs = 10_000) {
      drainResources(resources);
      await Promise.all([drain(data.server, graceMs), drain(admin.server, graceMs)]);
      policy.close();
      shadow.close();
      workflow.close();
      await notifier?.close();
      const flushed = await audit.flush();
      if (!flushed) log.error({ pending: audit.depth }, 'audit records could not be flushed before exit');
      await appender.close();
      await checkpointer.close().catch((err: unknown) => log.error({ err: String(err) }, 'final checkpoint failed'));
      await sinks.close();
      await identifier.close();
      await closeResources(resources);
      await store.close();
    },
  };
}
