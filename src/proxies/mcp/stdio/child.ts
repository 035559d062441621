// One stdio MCP server process: started without a shell, with a small inherited environment (the
// gateway's own variables hold its secrets) plus the resource's `env`; newline-delimited JSON-RPC
// on stdin and stdout; every stderr line goes to the gateway log under the resource's name. A line
// longer than the message limit is a broken server: the child is stopped (its session restarts it).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '../../../lib/logger.js';

/** What a desktop MCP client passes to its servers, and nothing else of the gateway's environment. */
const INHERITED = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'LANG', 'TZ', 'TMPDIR'];
const KILL_GRACE_MS = 2_000;

export interface ChildOptions {
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly maxLineBytes: number;
  readonly log: Logger;
  readonly onLine: (line: string) => void;
  /** Once, when the process has gone (started or not). */
  readonly onExit: (why: string) => void;
}

export class StdioChild {
  private readonly proc: ChildProcessWithoutNullStreams;
  private exited = false;
  private readonly gone: Promise<void>;
  readonly startedAt = Date.now();

  constructor(private readonly opts: ChildOptions) {
    const env: Record<string, string> = {};
    for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    this.proc = spawn(opts.command[0]!, opts.command.slice(1), { env: { ...env, ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.gone = new Promise((resolve) => {
      const done = (why: string) => {
        if (this.exited) return;
        this.exited = true;
        opts.onExit(why);
        resolve();
      };
      this.proc.once('error', (err) => done(`could not start: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      this.proc.once('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exited with ${code}`));
    });
    this.proc.stdin.on('error', () => undefined);
    readLines(this.proc.stdout, opts.maxLineBytes, opts.onLine, () => {
      opts.log.warn({ command: opts.command[0] }, 'MCP server sent a message over the size limit; stopping it');
      void this.stop();
    });
    readLines(this.proc.stderr, 64 * 1024, (line) => opts.log.info({ mcp_stderr: line.slice(0, 2000), command: opts.command[0] }, 'MCP server stderr'), () => undefined);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Writes one message; false when the process is gone. */
  send(text: string): boolean {
    if (this.exited || !this.proc.stdin.writable) return false;
    this.proc.stdin.write(`${text}\n`);
    return true;
  }

  pauseOutput(): void {
    this.proc.stdout.pause();
  }

  resumeOutput(): void {
    this.proc.stdout.resume();
  }

  /** Closes stdin, then SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.proc.stdin.end();
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), KILL_GRACE_MS);
    await this.gone;
    clearTimeout(timer);
  }
}

function readLines(stream: NodeJS.ReadableStream, max: number, onLine: (line: string) => void, onTooLong: () => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl !== -1) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      if (line.trim()) onLine(line);
      nl = buffered.indexOf('\n');
    }
    if (buffered.length > max) {
      buffered = '';
      onTooLong();
    }
  });
  stream.on('error', () => undefined);
}
