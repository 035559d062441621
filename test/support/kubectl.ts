// kubectl for end-to-end tests: every distinct kubectl this machine has (Debian's
// kubernetes-client, which .ci/run installs or unpacks to /opt/kubernetes-client when another
// package already owns /usr/bin/kubectl; whatever `kubectl` is on PATH; AIRLOCK_KUBECTL), each
// run with its own kubeconfig and a throwaway HOME so no user configuration or cache leaks in.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../src/lib/test-temp-dir.js';

export interface Kubectl {
  readonly path: string;
  /** e.g. `v1.20.2` */
  readonly version: string;
  readonly minor: number;
}

export const DEBIAN_KUBECTL = '/opt/kubernetes-client/usr/bin/kubectl';

function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`]).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

export function findKubectls(): Kubectl[] {
  const candidates = [process.env.AIRLOCK_KUBECTL, DEBIAN_KUBECTL, which('kubectl')].filter((p): p is string => Boolean(p && existsSync(p)));
  const seen = new Set<string>();
  const out: Kubectl[] = [];
  for (const p of candidates) {
    const real = realpathSync(p);
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      const info = JSON.parse(execFileSync(p, ['version', '--client', '-o', 'json'], { env: { ...process.env, HOME: tempDir('kubectl-home') }, timeout: 30_000 }).toString()) as {
        clientVersion: { gitVersion: string; minor: string };
      };
      out.push({ path: p, version: info.clientVersion.gitVersion, minor: parseInt(info.clientVersion.minor, 10) });
    } catch {
      // not a working kubectl
    }
  }
  return out;
}

export interface KubectlRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A kubectl bound to one kubeconfig (written to a fresh directory that is also its HOME). */
export async function kubectlWith(k: Kubectl, config: string): Promise<(args: readonly string[], input?: string) => Promise<KubectlRun>> {
  const home = tempDir('kubectl');
  const file = path.join(home, 'kubeconfig');
  await writeFile(file, config);
  return (args, input) =>
    new Promise((resolve) => {
      const proc = spawn(k.path, ['--kubeconfig', file, '--cache-dir', path.join(home, 'cache'), '--request-timeout', '20s', ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: home },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      proc.stdin.end(input ?? '');
      proc.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
}
