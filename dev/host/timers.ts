// Runs timer-triggered function definitions on their NCRONTAB schedule (wall clock, UTC), and on demand.
// Like the Functions host's singleton timers, a run never overlaps the previous one of the same function:
// an occurrence that comes while the previous run is still busy is skipped.
import { randomUUID } from 'node:crypto';
import type { Timer } from '@azure/functions';
import { InvocationContext } from './azure-functions-classes.js';
import type { TimerFunctionDefinition } from '../../functions/registry.js';
import type { Logger } from '../../shared/logging.js';
import { nextOccurrence, parseSchedule, type Schedule } from './ncrontab.js';

export interface TimerRunnerOptions {
  functions: readonly TimerFunctionDefinition[];
  /** Resolved schedule per function name (after %SETTING% lookup). */
  schedules: ReadonlyMap<string, string>;
  log: Logger;
  track<T>(work: () => Promise<T>): Promise<T>;
}

interface Entry {
  def: TimerFunctionDefinition;
  schedule: Schedule;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  last: Date | undefined;
  next: Date | undefined;
}

const MAX_DELAY_MS = 2_147_000_000; // setTimeout's limit (~24.8 days)

export class TimerRunner {
  private readonly entries = new Map<string, Entry>();
  private started = false;

  constructor(private readonly opts: TimerRunnerOptions) {
    for (const def of opts.functions) {
      const expression = opts.schedules.get(def.name);
      if (expression === undefined) throw new Error(`timer ${def.name}: no resolved schedule`);
      this.entries.set(def.name, { def, schedule: parseSchedule(expression), timer: undefined, running: undefined, last: undefined, next: undefined });
    }
  }

  /** Starts the schedules (of the named timers only, when `only` is given); `runOnStartup` timers run now. */
  start(only?: readonly string[]): void {
    if (this.started) return;
    this.started = true;
    for (const entry of this.entries.values()) {
      if (only !== undefined && !only.includes(entry.def.name)) continue;
      if (entry.def.trigger.runOnStartup === true) void this.fire(entry, false);
      this.arm(entry);
    }
  }

  stop(): Promise<void> {
    this.started = false;
    const busy: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.timer = undefined;
      if (entry.running !== undefined) busy.push(entry.running.catch(() => undefined));
    }
    return Promise.all(busy).then(() => undefined);
  }

  /** Runs the timer function now and resolves/rejects with its outcome (waits for a run in progress first). */
  async run(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new Error(`no timer function named ${name}`);
    if (entry.running !== undefined) await entry.running.catch(() => undefined);
    await this.invoke(entry, false);
  }

  private arm(entry: Entry): void {
    if (!this.started) return;
    const next = nextOccurrence(entry.schedule, new Date());
    entry.next = next;
    const delay = Math.min(Math.max(0, next.getTime() - Date.now()), MAX_DELAY_MS);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (Date.now() + 5 < next.getTime()) return this.arm(entry); // long delay split by setTimeout's cap
      void this.fire(entry, false).finally(() => this.arm(entry));
    }, delay);
    entry.timer.unref();
  }

  private async fire(entry: Entry, isPastDue: boolean): Promise<void> {
    if (entry.running !== undefined) {
      this.opts.log.warn({ fn: entry.def.name }, 'timer occurrence skipped: previous run still busy');
      return;
    }
    await this.invoke(entry, isPastDue).catch(() => undefined); // already logged
  }

  private invoke(entry: Entry, isPastDue: boolean): Promise<void> {
    const invocationId = randomUUID();
    const log = this.opts.log.child({ fn: entry.def.name, invocationId });
    const now = new Date();
    const timer: Timer = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (entry.last ?? now).toISOString(),
        next: (entry.next ?? nextOccurrence(entry.schedule, now)).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    const context = new InvocationContext({
      invocationId,
      functionName: entry.def.name,
      logHandler: (level, ...args) => log.info({ level }, args.map(String).join(' ')),
    });
    const run = this.opts
      .track(() => Promise.resolve(entry.def.handler(timer, context)))
      .then(
        () => {
          entry.last = now;
        },
        (err: unknown) => {
          log.error({ err }, 'timer function threw');
          throw err;
        },
      )
      .finally(() => {
        entry.running = undefined;
      });
    entry.running = run;
    return run;
  }
}
