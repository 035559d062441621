// `airlock attest`: record that a subject passed or failed a check (a signed in-toto statement,
// decided as `attest` on the subject); `attest verify` checks an envelope offline with the audit
// public key; `attest list` prints a subject's envelopes.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadPublicKey } from '../audit/log/index.js';
import type { DsseEnvelope } from '../lineage/dsse.js';
import { openAttestation } from '../lineage/attestation.js';
import { apiAction, callApi, withServerOption, type ServerOptions } from './api-client.js';

interface AttestOptions extends ServerOptions {
  subject: string;
  predicate: string;
  result: string;
  evidence?: string;
  digest?: string;
}

export function registerAttestCommands(program: Command): void {
  const attest = withServerOption(program.command('attest').enablePositionalOptions())
    .description('attest that a subject passed or failed a check (token from AIRLOCK_TOKEN); prints the signed envelope')
    .option('--subject <entity>', 'e.g. Model::"fraud/v3"')
    .option('--predicate <name>', 'the check, e.g. privacy-review')
    .option('--result <result>', 'pass | fail')
    .option('--evidence <file>', 'a file whose SHA-256 the statement names')
    .option('--digest <sha256:hex>', 'the subject artifact digest (default: SHA-256 of the subject name)')
    .action(
      apiAction(async (opts: AttestOptions) => {
        if (!opts.subject || !opts.predicate || !opts.result) {
          process.stderr.write('attest: --subject, --predicate and --result are required\n');
          process.exitCode = 2;
          return;
        }
        const evidence = opts.evidence ? { name: opts.evidence, sha256: createHash('sha256').update(await readFile(opts.evidence)).digest('hex') } : undefined;
        const body = { subject: opts.subject, predicate: opts.predicate, result: opts.result, ...(opts.digest ? { digest: opts.digest } : {}), ...(evidence ? { evidence } : {}) };
        process.stdout.write(`${JSON.stringify(await callApi<DsseEnvelope>(opts, 'POST', '/api/v1/attestations', body))}\n`);
      }),
    );

  attest
    .command('verify')
    .description('check an attestation envelope offline; exit 0 when it verifies')
    .argument('<file>', 'the envelope (JSON)')
    .requiredOption('--public-key <file>', 'the audit public key (PEM, from `airlock audit public-key`)')
    .action(async (file: string, opts: { publicKey: string }) => {
      try {
        const opened = openAttestation(JSON.parse(await readFile(file, 'utf8')) as DsseEnvelope, await loadPublicKey(opts.publicKey));
        if ('error' in opened) {
          process.stderr.write(`not verified: ${opened.error}\n`);
          process.exitCode = 1;
          return;
        }
        const { subject, predicate } = opened.statement;
        process.stdout.write(`verified: ${predicate.name} ${predicate.result} for ${subject[0]!.name} by ${predicate.attester} at ${predicate.time}\n`);
      } catch (err) {
        process.stderr.write(`not verified: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });

  withServerOption(attest.command('list'))
    .description("a subject's attestation envelopes, as JSON")
    .requiredOption('--subject <entity>', 'e.g. Model::"fraud/v3"')
    .action(
      apiAction(async (opts: ServerOptions & { subject: string }) => {
        const list = await callApi<DsseEnvelope[]>(opts, 'GET', `/api/v1/attestations?subject=${encodeURIComponent(opts.subject)}`);
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      }),
    );
}
