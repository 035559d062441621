// Assembles one gateway process from a validated config: store, audit writer, identity, policy,
// resources, and the two listeners. `close()` drains in the order that loses nothing: stop
// accepting, let in-flight requests finish, flush the audit queue, then close the store.
import { approvalRoutes } from '../admin/api/approval-routes.js';
import { auditRoutes } from '../admin/api/audit-routes.js';
import { gateRoutes } from '../admin/api/gate-routes.js';
import { grantRoutes } from '../admin/api/grant-routes.js';
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
import { closeResources, mountResources } from '../pipeline/resources.js';
import { createStages } from '../pipeline/stages.js';
import { LivePolicy, type ReloadResult } from '../policy/live-policy.js';
import { startShadowMode } from '../policy/shadow-mode.js';
import { openStore } from '../store/index.js';
import { notifyChannels, startApprovals } from './approvals.js';
import { slackChannels } from '../approvals/channels/index.js';
import { SLACK_INTERACTIONS_PATH, slackInteractions } from '../admin/integrations/slack-route.js';
import { startAuditSinks } from './audit-sinks.js';
import { drain, listen } from './listen.js';
import { readTlsFiles } from './tls-files.js';
import { admissionHandler } from '../proxies/kubernetes/admission/listener.js';
import { errorMessage } from '../lib/errors.js';
import { clientAddressResolver } from '../lib/client-ip.js';
import { IdentityAssertions } from '../identify/assertion.js';
import { OtlpExporter } from '../telemetry/otlp-exporter.js';
import { AccessMap } from '../lineage/access-map.js';
import { AlertEngine } from '../alerts/engine.js';
import type { Notifier } from '../approvals/channels/index.js';
import { lineageRoutes } from '../admin/api/lineage-routes.js';
import { RequestTrace } from '../telemetry/tracer.js';

export interface RunningGateway {
  readonly dataUrl: string;
  readonly adminUrl: string;
  /** Reloads the policy bundle now (SIGHUP). */
  reloadPolicy(): Promise<ReloadResult>;
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly log: Logger;
  /**
   * Whether this process does the once-per-store work (signing checkpoints, delivering SIEM sinks);
   * one worker of several does it. Default true.
   */
  readonly leader?: boolean;
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

  const signingKey = await loadOrCreateSigningKey(resolveFrom(loaded, config.audit.signing_key_file));
  const checkpointer = new Checkpointer(store.audit, {
    origin: config.audit.origin,
    key: signingKey,
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
      } else if (result.outcome === 'failed') {
        log.error({ version: result.version, err: result.error }, 'policy bundle could not be put into service; retrying, the last good bundle keeps serving');
      } else if (result.outcome === 'loaded') {
        metrics.policyVersion.reset();
        metrics.policyVersion.set({ version: result.version }, 1);
        log.info({ version: result.version }, 'policy bundle loaded');
      }
    },
  });
  policy.watch();

  const baseIdentifier = await createIdentifier({ oidc: [...config.identity.oidc], keys: store.keys, changes: store.changes, baseDir: loaded.baseDir });
  const workflow = await startApprovals(store, audit, baseIdentifier, {
    ttlSeconds: config.approvals.ttl_seconds,
    maxPendingPerPrincipal: config.approvals.max_pending_per_principal,
    log,
  });
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
    rateLimits: config.limits.rate,
  });
  const assertions = config.resources.some((r) => 'identity_assertion' in r && r.identity_assertion)
    ? new IdentityAssertions(await loadOrCreateSigningKey(resolveFrom(loaded, config.identity.assertion_key_file)), config.identity.assertion_issuer)
    : undefined;
  const resources = mountResources(config.resources, { stages, log, store, assertions, maxBodyBytes: config.limits.max_body_bytes, baseDir: loaded.baseDir });
  const clientIp = clientAddressResolver(config.trusted_proxies);
  const otlp = config.telemetry.otlp;
  const exporter = otlp && new OtlpExporter({ endpoint: otlp.endpoint, headers: otlp.headers, serviceName: otlp.service_name, onDropped: (n) => metrics.spansDropped.inc(n) });
  const dataPlane = createDataPlane({
    resources,
    stages,
    log,
    clientIp,
    trace: exporter && ((req, started) => new RequestTrace(exporter, req.headers.traceparent, started, 'airlock.request')),
  });
  // The access map follows the log from the start; a decision that needs lineage catches it up first.
  const accessMap = new AccessMap(store.audit);
  let notifier: Notifier | undefined;
  const alerts = new AlertEngine(config.alerts, {
    claim: (id, at) => store.alerts.claimAlert(id, at),
    notify: (alert) => notifier?.notifyAlert(alert),
    record: (entry) => audit.enqueue(entry),
    log,
    liveAfter: (await store.audit.auditHead()).size - 1,
  });
  accessMap.onRecord((record, seq) => alerts.observe(record, seq));
  void accessMap.catchUp().catch((err: unknown) => log.error({ err: errorMessage(err) }, 'access map could not read the audit log'));
  accessMap.follow(500, (err) => log.warn({ err: errorMessage(err) }, 'access map could not read the audit log'));
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
    clientIp,
    jwks: assertions && (() => assertions.jwks()),
    routes: [
      ...auditRoutes(store.audit, checkpointer),
      ...approvalRoutes(workflow.approvals),
      ...grantRoutes(workflow.grants),
      ...gateRoutes(workflow.approvals, () => consoleUrl, accessMap),
      ...lineageRoutes({ map: accessMap, audit, signingKey: signingKey.privateKey, now }),
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

  const leader = opts.leader ?? true;
  if (leader) {
    await checkpointer.checkpoint();
    checkpointer.start();
  }
  const sinks = startAuditSinks(leader ? config.audit.sinks : [], store.audit, audit, metrics, log, loaded.baseDir);
  const data = await listen(config.listen, dataPlane.handle, {
    upgrade: dataPlane.upgrade,
    limits: config.limits.listeners,
    tls: config.tls && (await readTlsFiles(loaded, 'tls', config.tls)),
  });
  const admin = await listen(config.admin.listen, controlPlane, { limits: config.limits.listeners });
  const admissionHandlers = config.admission
    ? admissionHandler({ resources, stages, store, log, clientIp, maxBodyBytes: config.limits.max_body_bytes, baseDir: loaded.baseDir })
    : undefined;
  const admission =
    config.admission && admissionHandlers
      ? await listen(config.admission.listen, admissionHandlers.handle, { limits: config.limits.listeners, tls: await readTlsFiles(loaded, 'admission', config.admission) })
      : undefined;
  consoleUrl = config.approvals.console_url ?? admin.url;
  notifier = notifyChannels(workflow, config.approvals.notify, { consoleUrl, audit, metrics, log });
  log.info({ data: data.url, admin: admin.url, ...(admission ? { admission: admission.url } : {}) }, 'airlock is listening');

  return {
    dataUrl: data.url,
    adminUrl: admin.url,
    reloadPolicy: () => policy.reload(),
    async close(graceMs = 10_000) {
      await Promise.all([drain(data.server, graceMs), drain(admin.server, graceMs), admission && drain(admission.server, graceMs)]);
      await admissionHandlers?.close();
      stages.close();
      accessMap.close();
      policy.close();
      shadow.close();
      workflow.close();
      await notifier?.close();
      const flushed = await audit.flush();
      if (!flushed) log.error({ pending: audit.depth }, 'audit records could not be flushed before exit');
      await appender.close();
      if (leader) await checkpointer.close().catch((err: unknown) => log.error({ err: String(err) }, 'final checkpoint failed'));
      await sinks.close();
      await identifier.close();
      await closeResources(resources);
      await exporter?.close();
      await store.close();
    },
  };
}
