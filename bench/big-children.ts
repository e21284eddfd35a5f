// The big-group benchmark's child processes from the parent's side: spawn with an input file, send commands,
// wait for events, and read the process's memory from /proc (VmHWM: its peak resident set over its life).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EVENT_PREFIX, eventSchema, type BigEvent, type Command } from './big-protocol.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Resident set now and at its peak, in bytes, from /proc/<pid>/status. */
export function processMemory(pid: number): { rss: number; peakRss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

export class BenchChild {
  private readonly events: BigEvent[] = [];
  private waiters: (() => void)[] = [];
  private stderr = '';
  private exit: string | null = null;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    inputFile: string,
    /** `compiled`: the script compiled to JavaScript (planner-memory-build.ts), run by plain Node instead of tsx. */
    opts: { env?: Record<string, string>; nodeArgs?: readonly string[]; compiled?: string } = {},
  ) {
    const entry = opts.compiled === undefined ? ['--import', 'tsx', path.join(ROOT, 'bench', script)] : [opts.compiled];
    this.child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entry, inputFile], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (!line.startsWith(EVENT_PREFIX)) return;
      this.events.push(eventSchema.parse(JSON.parse(line.slice(EVENT_PREFIX.length))));
      this.wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-8000)));
    this.child.once('exit', (code, signal) => {
      this.exit = signal ?? `exit ${code}`;
      this.wake();
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  send(command: Command): void {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** The next event of this type (events of other types before it are dropped). */
  async next<T extends BigEvent['type']>(type: T, timeoutMs: number): Promise<Extract<BigEvent, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex((e) => e.type === type);
      if (i >= 0) return this.events.splice(0, i + 1).pop() as Extract<BigEvent, { type: T }>;
      if (this.exit !== null) throw new Error(`${this.name} exited (${this.exit}) before '${type}':\n${this.stderr.trim()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no '${type}' within ${timeoutMs} ms:\n${this.stderr.trim().slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** SIGTERM, then SIGKILL after a grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exit !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
