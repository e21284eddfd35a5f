// Failure injection: throttling (429 + Retry-After), server errors and slow responses on chosen paths,
// deterministic (every Nth matching call, or a seeded random share) so tests can rely on them.
import { z } from 'zod';

export const failureRuleSchema = z.object({
  /** Regular expression tested against "METHOD /version/path" (e.g. "GET /v1.0/groups/delta"). */
  match: z.string().min(1),
  kind: z.enum(['throttle', 'error', 'delay']),
  /** Fire on every Nth matching call (1 = every call). */
  everyNth: z.number().int().positive().optional(),
  /** Or fire on a share of matching calls, drawn from an RNG seeded with `seed`. */
  ratio: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  /** Stop after firing this many times. */
  times: z.number().int().positive().optional(),
  /** error: the status (default 503); throttle is always 429. */
  status: z.number().int().min(400).max(599).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  /** delay: milliseconds before the request is handled. */
  delayMs: z.number().int().nonnegative().optional(),
  /** Apply to requests inside POST /$batch too (default true). */
  inBatch: z.boolean().optional(),
});
export type FailureRule = z.infer<typeof failureRuleSchema>;

export type FailureDecision =
  | { kind: 'delay'; ms: number }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'error'; status: number; retryAfterSeconds: number | undefined };

interface ActiveRule {
  id: string;
  rule: FailureRule;
  pattern: RegExp;
  matched: number;
  fired: number;
  rng: () => number;
}

export class FailureInjector {
  private readonly rules: ActiveRule[] = [];
  private nextId = 1;

  add(input: FailureRule): string {
    const rule = failureRuleSchema.parse(input);
    const id = `rule-${this.nextId++}`;
    this.rules.push({ id, rule, pattern: new RegExp(rule.match), matched: 0, fired: 0, rng: mulberry32(rule.seed ?? 1) });
    return id;
  }

  remove(id: string): boolean {
    const i = this.rules.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.rules.splice(i, 1);
    return true;
  }

  clear(): void {
    this.rules.length = 0;
  }

  list(): { id: string; rule: FailureRule; matched: number; fired: number }[] {
    return this.rules.map(({ id, rule, matched, fired }) => ({ id, rule, matched, fired }));
  }

  /** Decisions for one request, in rule order: delays add up, the first failure wins. */
  decide(target: string, inBatch: boolean): FailureDecision[] {
    const out: FailureDecision[] = [];
    for (const r of this.rules) {
      if (inBatch && r.rule.inBatch === false) continue;
      if (!r.pattern.test(target)) continue;
      r.matched += 1;
      if (r.rule.times !== undefined && r.fired >= r.rule.times) continue;
      const fire = r.rule.ratio !== undefined ? r.rng() < r.rule.ratio : r.matched % (r.rule.everyNth ?? 1) === 0;
      if (!fire) continue;
      r.fired += 1;
      if (r.rule.kind === 'delay') out.push({ kind: 'delay', ms: r.rule.delayMs ?? 1000 });
      else if (r.rule.kind === 'throttle') out.push({ kind: 'throttle', retryAfterSeconds: r.rule.retryAfterSeconds ?? 1 });
      else out.push({ kind: 'error', status: r.rule.status ?? 503, retryAfterSeconds: r.rule.retryAfterSeconds });
    }
    return out;
  }
}

/** Small seeded PRNG (deterministic shares of failures). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
