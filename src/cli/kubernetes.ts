// `airlock kubeconfig NAME` and `airlock kubernetes webhook-config NAME`: what kubectl and a
// cluster need to go through a `kubernetes` resource. Both only print; neither talks to the gateway.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { kubeconfig } from '../proxies/kubernetes/kubeconfig.js';
import { webhookConfig } from '../proxies/kubernetes/admission/webhook-config.js';
import type { KubernetesResourceConfig } from '../proxies/kubernetes/config.js';
import { loadConfigOrExit, withConfigOption } from './shared.js';

const RESOURCE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const APPROVAL_ID = /^[A-Za-z0-9-]{1,64}$/;

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

export function registerKubernetesCommands(program: Command): void {
  program
    .command('kubeconfig')
    .description('print a kubeconfig that sends kubectl through the gateway to a kubernetes resource (token from AIRLOCK_TOKEN)')
    .argument('<name>', 'the kubernetes resource')
    .option('--server <url>', "the gateway's data plane", process.env.AIRLOCK_DATA_URL ?? 'http://127.0.0.1:8080')
    .option('--approval <id>', 'present this approval with every request (the retry spends it without this too)')
    .option('--namespace <ns>', 'the default namespace')
    .option('--ca-file <file>', "the CA (PEM) of the data plane's certificate, embedded in the kubeconfig")
    .option('--insecure-skip-tls-verify', 'do not verify the data plane certificate (test setups only)')
    .action(async (name: string, opts: { server: string; approval?: string; namespace?: string; caFile?: string; insecureSkipTlsVerify?: boolean }) => {
      if (!RESOURCE_NAME.test(name)) usage('NAME: a resource name (lower-case letters, digits, "-" or "_")');
      if (!/^https?:\/\/[^/]+\/?$/.test(opts.server)) usage('--server: the data plane as http(s)://host:port');
      if (opts.approval !== undefined && !APPROVAL_ID.test(opts.approval)) usage('--approval: an approval id');
      const token = process.env.AIRLOCK_TOKEN;
      if (!token) usage('set AIRLOCK_TOKEN to the bearer token kubectl should use (an Airlock API key or a JWT)');
      if (opts.server.startsWith('http:')) process.stderr.write('warning: kubectl sends no token over plain http; serve the data plane with tls: and use https\n');
      let ca: string | undefined;
      try {
        ca = opts.caFile === undefined ? undefined : await readFile(opts.caFile, 'utf8');
      } catch {
        usage(`--ca-file: cannot read ${opts.caFile}`);
      }
      process.stdout.write(kubeconfig({ name, server: opts.server, token, approval: opts.approval, namespace: opts.namespace, ca, insecureSkipTlsVerify: opts.insecureSkipTlsVerify }));
    });

  const kubernetes = program.command('kubernetes').description('Kubernetes resources: the admission webhook');
  withConfigOption(kubernetes.command('webhook-config'))
    .description('print the ValidatingWebhookConfiguration (failurePolicy: Fail) that sends a cluster to the admission listener')
    .argument('<name>', 'the kubernetes resource')
    .option('--url <url>', 'where the API server reaches the admission listener (default: https://<admission.listen>)')
    .option('--ca-file <file>', "the CA (PEM) of the admission listener's certificate (default: admission.cert_file itself)")
    .action(async (name: string, opts: { config: string; url?: string; caFile?: string }) => {
      const { config, baseDir } = await loadConfigOrExit(opts.config);
      const resource = config.resources.find((r) => r.name === name);
      if (!resource || resource.type !== 'kubernetes') usage(`NAME: no kubernetes resource "${name}" in ${opts.config}`);
      if (!config.admission) usage(`admission: not configured in ${opts.config} (listen, cert_file, key_file)`);
      const url = opts.url ?? `https://${config.admission.listen}`;
      if (!/^https:\/\/[^/]+\/?$/.test(url)) usage('--url: the API server calls webhooks over https only: https://host:port');
      const caFile = opts.caFile ?? path.resolve(baseDir, config.admission.cert_file);
      let ca: string;
      try {
        ca = await readFile(caFile, 'utf8');
      } catch {
        usage(`--ca-file: cannot read ${caFile}`);
      }
      process.stdout.write(webhookConfig({ name, url, ca, budgetMs: (resource as KubernetesResourceConfig).budget_ms }));
    });
}
