// The faults a scenario injects and lifts (docs/scenarios.md, v2): peers taken away through the stack's
// proxies (`fault`), and Graph answering an error status for a number of calls or for a while (`graphFault`).
import type { LocalStack } from '../stack/local-stack.js';
import type { ScenarioStep } from './schema.js';

type GraphFault = Extract<ScenarioStep, { op: 'graphFault' }>;

/** Escapes a literal for a RegExp: the simulator's failure rules match with regular expressions. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Faults {
  private readonly down = new Set<'dc' | 'tables'>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly timedRules = new Set<string>();

  constructor(private readonly stack: LocalStack) {}

  /** A fault stays until the same target is set up again. */
  async set(target: 'dc' | 'tables', state: 'down' | 'up'): Promise<void> {
    await this.stack.fault(target, state);
    if (state === 'down') this.down.add(target);
    else this.down.delete(target);
  }

  /** The next `times` matching Graph calls, or every matching call for `seconds`, answer `status`
   *  (429 and 503 with Retry-After: 1; a request inside $batch counts as a call). */
  graph(f: GraphFault): void {
    const control = this.stack.sim.control;
    const retryAfter = f.status === 429 || f.status === 503 ? { retryAfterSeconds: 1 } : {};
    const id = control.addFailure({
      match: literal(f.match),
      ...(f.status === 429 ? { kind: 'throttle' as const } : { kind: 'error' as const, status: f.status }),
      ...retryAfter,
      ...(f.times !== undefined ? { times: f.times } : {}),
    });
    if (f.seconds !== undefined) {
      this.timedRules.add(id);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.timedRules.delete(id);
        control.removeFailure(id);
      }, f.seconds * 1000);
      this.timers.add(timer);
    }
  }

  /** True while a peer is down or a timed Graph fault still runs: the pipeline cannot settle then. */
  active(): boolean {
    return this.down.size > 0 || this.timedRules.size > 0;
  }

  describe(): string {
    return [...[...this.down].map((t) => `${t} down`), ...(this.timedRules.size > 0 ? ['graph fault'] : [])].join(', ');
  }

  /** Waits for timed Graph faults to run out (they end by themselves). */
  async liftGraphFaults(): Promise<void> {
    while (this.timedRules.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
