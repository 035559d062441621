// Assembles one gateway process from a validated config: store, audit writer, identity, policy,
// resources, and the two listeners. `close()` drains in the order that loses nothing: stop
// accepting, let in-flight requests finish, flush the audit queue, then close the store.
import { apiRoutes } from '../admin/api/index.js';
import { ToolPins } from '../proxies/mcp/pins/tool-pins.js';
import type { Notifier } from '../approvals/channels/index.js';
import { createControlPlane } from '../admin/control-plane.js';
import { GatewayMetrics } from '../admin/metrics.js';
import { createCapture } from '../audit/capture/index.js';
import { Checkpointer } from '../audit/checkpointer.js';
import { loadOrCreateSigningKey } from '../audit/log/index.js';
import { workerAppender } from '../audit/append/worker-appender.js';
import { AuditWriter } from '../audit/writer.js';
import { loadOrCreateSealer } from '../identify/s3-keys/secret-sealer.js';
import { resolveFrom, type LoadedConfig } from '../config/load.js';
import { createIdentifier } from '../identify/index.js';
import type { Logger } from '../lib/logger.js';
import { createDataPlane } from '../pipeline/data-plane.js';
import { closeResources, drainResources, mountResources } from '../pipeline/resources.js';
import { createStages } from '../pipeline/stages.js';
import { AnonymousTraffic } from '../pipeline/anonymous-traffic.js';
import { LivePolicy, type ReloadResult } from '../policy/live-policy.js';
import { startShadowMode } from '../policy/shadow-mode.js';
import { openStore } from '../store/index.js';
import { notifyChannels, startApprovals } from './approvals.js';
import { slackChannels } from '../approvals/channels/index.js';
import { SLACK_INTERACTIONS_PATH, slackInteractions } from '../admin/integrations/slack-route.js';
import { startAuditSinks } from './audit-sinks.js';
import { startSecrets } from './secrets.js';
import { secretRoutes } from '../admin/api/secret-routes.js';
import { drain, listen } from './listen.js';
import { readTlsFiles } from './tls-files.js';
import { admissionHandler } from '../proxies/kubernetes/admission/listener.js';
import { errorMessage } from '../lib/errors.js';
import { clientAddressResolver } from '../lib/client-ip.js';
import { IdentityAssertions } from '../identify/assertion.js';
import { OtlpExporter } from '../telemetry/otlp-exporter.js';
import { AccessMap } from '../lineage/access-map.js';
import { AlertEngine } from '../alerts/engine.js';
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
  const now = opts.now ?? (() => new Date());
  const log = opts.log;
  const store = await openStore(loaded.config.store, loaded.baseDir, {
    backgroundCheckpoints: { onError: (err) => log.error({ err }, 'WAL checkpoint thread failed; commits checkpoint past 16,000 pages instead') },
  });
  const metrics = new GatewayMetrics(() => audit.depth);
  const appender = workerAppender(loaded.config.store, loaded.baseDir, {
    onStoreError: (err, retryMs) => log.error({ err, retry_ms: retryMs }, 'audit worker cannot open the store; requests are refused with 503 until it can'),
  });
  const audit = new AuditWriter(appender, {
    onError: (err) => {
      metrics.auditErrors.inc();
      log.error({ err: errorMessage(err) }, 'audit commit failed');
    },
  });
  // From here on, credential values that reference secrets read their current versions.
  const secrets = await startSecrets(loaded, store, audit, log);
  const { config } = secrets;

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

  const baseIdentifier = await createIdentifier({ oidc: [...config.identity.oidc], keys: store.keys, changes: store.changes, baseDir: loaded.baseDir, log });
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

  // One limiter for requests without a credential, whichever listener they reach.
  const anonymous = new AnonymousTraffic(config.limits.rate, (entry) => audit.enqueue(entry));
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
    anonymous,
  });
  const assertions = config.resources.some((r) => 'identity_assertion' in r && r.identity_assertion)
    ? new IdentityAssertions(await loadOrCreateSigningKey(resolveFrom(loaded, config.identity.assertion_key_file)), config.identity.assertion_issuer)
    : undefined;
  // Alerts (a changed tool definition, alert rules) go out through the approval channels once they exist.
  let notifier: Notifier | undefined;
  const pins = new ToolPins({
    store: store.toolPins,
    bundlePins: () => policy.bundle().pins,
    record: (entry) => audit.enqueue(entry),
    alert: (a) => notifier?.alert(a),
    log,
  });
  const issuers = config.identity.oidc.map((o) => o.issuer);
  const sealer = config.resources.some((r) => r.type === 's3') ? await loadOrCreateSealer(resolveFrom(loaded, config.s3_keys.kek_file)) : undefined;
  const resources = mountResources(config.resources, {
    stages,
    log,
    store,
    assertions,
    sealer,
    maxBodyBytes: config.limits.max_body_bytes,
    mcp: { pins, issuers, baseDir: loaded.baseDir },
    secrets: secrets.live,
    baseDir: loaded.baseDir,
  });
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
  const alerts = new AlertEngine(config.alerts, {
    claim: (id, at) => store.alerts.claimAlert(id, at),
    notify: (alert) => notifier?.alert(alert),
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
    anonymous,
    jwks: assertions && (() => assertions.jwks()),
    routes: [
      ...apiRoutes({
      auditStore: store.audit,
      checkpointer,
      approvals: workflow.approvals,
      grants: workflow.grants,
      consoleUrl: () => consoleUrl,
      accessMap,
      audit,
      signingKey: signingKey.privateKey,
      now,
      pins,
      }),
      ...(secrets.vault ? secretRoutes({ vault: secrets.vault, approvals: workflow.approvals, consoleUrl: () => consoleUrl, audit }) : []),
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
    ? admissionHandler({ resources, stages, store, log, clientIp, maxBodyBytes: config.limits.max_body_bytes, baseDir: loaded.baseDir, secrets: secrets.live })
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
      drainResources(resources);
      await Promise.all([drain(data.server, graceMs), drain(admin.server, graceMs), admission && drain(admission.server, graceMs)]);
      await admissionHandlers?.close();
      stages.close();
      anonymous.close();
      accessMap.close();
      policy.close();
      secrets.live?.close();
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
