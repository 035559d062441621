// The files under deploy/ against the code they deploy: every metric a dashboard panel or an alert
// rule names is one the gateway exports (a renamed metric fails here, not on a dark dashboard), and
// the systemd unit and Kubernetes manifests name the ports, probes, commands and config keys the
// gateway really has (their configs pass the gateway's own config validation).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { GatewayMetrics } from '../../src/admin/metrics.js';
import { parseConfig } from '../../src/config/load.js';
import { REPO } from '../support/airlock-process.js';

const read = (p: string) => readFileSync(path.join(REPO, 'deploy', p), 'utf8');

async function exportedMetricNames(): Promise<Set<string>> {
  const m = new GatewayMetrics(() => 0);
  m.requests.inc(['llm', 'model.invoke', 'allow']);
  m.decisionSeconds.observe(0.001);
  m.upstreamSeconds.observe(0.01, ['llm']);
  const names = new Set<string>();
  for (const line of (await m.exposition()).split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!t) continue;
    names.add(t[1]!);
    if (t[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${t[1]}${s}`);
  }
  return names;
}

/** Metric names in a PromQL expression (label names and functions do not match these prefixes). */
const metricsIn = (expr: string) => [...expr.matchAll(/\b((?:airlock|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!);

/** A config as the gateway would load it, with placeholder values for its ${VARS}. */
function validConfig(text: string): ReturnType<typeof parseConfig>['config'] {
  const env = { AIRLOCK_DATABASE_URL: 'postgres://airlock@db:5432/airlock', UPSTREAM_KEY: 'k' };
  return parseConfig(text, 'deploy.yaml', env).config;
}

describe('deploy/', () => {
  it('dashboard and alert rules name only metrics the gateway exports', async () => {
    const names = await exportedMetricNames();
    const dashboard = JSON.parse(read('grafana/airlock-dashboard.json')) as { panels: { targets: { expr: string }[] }[] };
    const rules = (parse(read('prometheus/airlock-alerts.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const exprs = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...rules.map((r) => r.expr)];
    const used = new Set(exprs.flatMap(metricsIn));
    assert.ok(used.size >= 10, 'the dashboard and rules cover the gateway');
    for (const name of used) assert.ok(names.has(name), `${name} is not exported`);
    assert.ok(rules.every((r) => /^Airlock[A-Z]/.test(r.alert)), 'alert names');
  });

  it('the systemd unit is hardened, keeps state in its StateDirectory, and its config validates', () => {
    const unit = read('systemd/airlock.service');
    const setting = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
    for (const [key, value] of [['DynamicUser', 'yes'], ['ProtectSystem', 'strict'], ['StateDirectory', 'airlock'], ['ConfigurationDirectory', 'airlock'], ['NoNewPrivileges', 'yes'], ['KillSignal', 'SIGTERM']]) {
      assert.deepEqual(setting(key!), [value], key);
    }
    const exec = setting('ExecStart')[0]!.split(' ');
    assert.deepEqual(exec.slice(1, 4), ['serve', '--config', '/etc/airlock/airlock.yaml']);
    const config = validConfig(read('systemd/airlock.yaml'));
    for (const file of [config.audit.signing_key_file, config.identity.assertion_key_file, config.store.replace('sqlite:', '')]) {
      assert.ok(file.startsWith('/var/lib/airlock/'), `${file} is in the StateDirectory`);
    }
  });

  it('the Kubernetes manifests agree with the config they mount: ports, probes, command', () => {
    const docs = ['configmap.yaml', 'deployment.yaml', 'service.yaml', 'pdb.yaml', 'networkpolicy.yaml'].flatMap((f) =>
      parseAllDocuments(read(`kubernetes/${f}`)).map((d) => d.toJS() as Record<string, any>),
    );
    const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
    const config = validConfig(byKind('ConfigMap')[0]!.data['airlock.yaml']);
    assert.ok(config.store.startsWith('postgres://'), 'replicas share PostgreSQL');
    const deployment = byKind('Deployment')[0]!;
    const container = deployment.spec.template.spec.containers[0];
    const port = (name: string) => container.ports.find((p: { name: string }) => p.name === name).containerPort;
    assert.equal(String(port('data')), config.listen.split(':').at(-1));
    assert.equal(String(port('admin')), config.admin.listen.split(':').at(-1));
    assert.deepEqual([container.readinessProbe.httpGet, container.livenessProbe.httpGet], [{ path: '/readyz', port: 'admin' }, { path: '/healthz', port: 'admin' }]);
    const configMount = container.volumeMounts.find((v: { subPath?: string }) => v.subPath === 'airlock.yaml').mountPath;
    assert.deepEqual(container.args.slice(0, 3), ['serve', '--config', configMount]);
    assert.ok(deployment.spec.replicas >= 2);
    assert.ok(byKind('PodDisruptionBudget')[0]!.spec.minAvailable < deployment.spec.replicas);
    for (const svc of byKind('Service')) for (const p of svc.spec.ports) assert.ok(['data', 'admin'].includes(p.targetPort), `${svc.metadata.name} targets a named container port`);
    const np = byKind('NetworkPolicy')[0]!;
    assert.deepEqual(np.spec.podSelector, deployment.spec.selector);
  });
});
