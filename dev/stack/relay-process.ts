// The relay in the local stack runs as its own process (dev/relay/main.ts), as in production: it reaches the
// local host's queue over loopback and the DC through the stack's fault proxy, so it can be stopped, killed
// with SIGKILL mid-write and started again. Its log lines are kept (the last few hundred) to explain an
// unexpected exit; WRITEBACK_RELAY_LOG=1 also streams them to this process's stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RelayConfigInput } from '../../relay/config.js';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEPT_LINES = 300;

export interface RelayProcess {
  readonly pid: number | undefined;
  /** The relay's recent output (JSON log lines). */
  output(): string;
  /** SIGTERM: the relay finishes the messages in hand and exits. */
  stop(): Promise<void>;
  /** SIGKILL now (nothing is finished or settled), then a new relay process at once. */
  crash(): Promise<void>;
}

export interface RelayProcessOptions {
  config: RelayConfigInput;
  queueUrl: string;
  /** Environment the config's secrets are read from (the bind password variable). */
  env: Record<string, string>;
  /** How many clients have attached to the queue server so far (a new process attaches once at start). */
  attachments: () => number;
}

export async function startRelayProcess(opts: RelayProcessOptions): Promise<RelayProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gwb-relay-'));
  const configFile = path.join(dir, 'relay.json');
  await writeFile(configFile, JSON.stringify(opts.config), { mode: 0o600 });
  const lines: string[] = [];
  let child: ChildProcess;
  let exited: Promise<number | null>;

  const spawnRelay = async (): Promise<void> => {
    const before = opts.attachments();
    child = spawn(process.execPath, ['--import', 'tsx', 'dev/relay/main.ts', '--config', configFile], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env, WRITEBACK_LOCAL_QUEUE_URL: opts.queueUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      if (process.env['WRITEBACK_RELAY_LOG'] === '1') process.stderr.write(chunk);
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    let gone = false;
    void exited.then(() => (gone = true));
    // Attached = the process is up and has its queue client (attachment count rises past what it was).
    while (!gone && opts.attachments() <= before) {
      if (Date.now() > deadline) throw new Error(`the relay process did not start within 30 s:\n${lines.slice(-20).join('\n')}`);
      await sleep(25);
    }
    if (gone) throw new Error(`the relay process exited at start-up:\n${lines.slice(-20).join('\n')}`);
  };

  await spawnRelay();
  return {
    get pid() {
      return child.pid;
    },
    output: () => lines.join('\n'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
    async crash() {
      child.kill('SIGKILL');
      await exited;
      await spawnRelay();
    },
  };
}
