// Unknown is not gone: the verdict on a group found gone again, over time (shared/domain/recheck.ts).
import { describe, expect, it } from 'vitest';
import { CONFIRM_GONE_AFTER_MS, CONFIRM_GONE_CHECKS, judgeGone, RECHECK_FIRST_DELAY_MS, RECHECK_MAX_DELAY_MS, type RecheckEntry } from '../../../shared/domain/recheck.js';

const G = 'b1000000-0000-4000-8000-000000000001';
const T0 = Date.UTC(2025, 0, 1);
const at = (ms: number): Date => new Date(T0 + ms);

/** Runs due checks until the verdict is "deleted"; returns when (ms after the first) and how many answers. */
function checkUntilDeleted(): { afterMs: number; answers: number; delays: number[] } {
  let entry: RecheckEntry | undefined;
  let now = 0;
  const delays: number[] = [];
  for (let answers = 1; answers < 50; answers++) {
    const verdict = judgeGone(G, entry, at(now), 0);
    if (verdict.kind === 'deleted') return { afterMs: now, answers, delays };
    expect(verdict.counted).toBe(true);
    entry = verdict.entry;
    const next = Date.parse(entry.nextAt) - T0;
    delays.push(next - now);
    now = next;
  }
  throw new Error('never concluded');
}

describe('judgeGone', () => {
  it('a group first found gone is unknown, with a first check a minute later', () => {
    const v = judgeGone(G, undefined, at(0), 7);
    expect(v).toEqual({
      kind: 'unknown',
      counted: true,
      changed: true,
      entry: { groupId: G, since: at(0).toISOString(), checks: 1, nextAt: at(RECHECK_FIRST_DELAY_MS).toISOString(), repairAfterSeq: 7 },
    });
  });

  it('an answer before the check is due is not counted (an unrelated round), but keeps a larger repair seq', () => {
    const first = judgeGone(G, undefined, at(0), 0);
    if (first.kind !== 'unknown') throw new Error('unknown expected');
    expect(judgeGone(G, first.entry, at(2_000), 0)).toMatchObject({ kind: 'unknown', counted: false, changed: false, entry: first.entry });
    expect(judgeGone(G, first.entry, at(2_000), 4)).toMatchObject({ counted: false, changed: true, entry: { checks: 1, repairAfterSeq: 4 } });
  });

  it('backs off to at most the maximum delay and confirms only after enough answers over enough time', () => {
    const { afterMs, answers, delays } = checkUntilDeleted();
    expect(delays.slice(0, 3)).toEqual([RECHECK_FIRST_DELAY_MS, 2 * RECHECK_FIRST_DELAY_MS, 4 * RECHECK_FIRST_DELAY_MS]);
    expect(Math.max(...delays)).toBe(RECHECK_MAX_DELAY_MS);
    expect(afterMs).toBeGreaterThanOrEqual(CONFIRM_GONE_AFTER_MS);
    expect(answers).toBeGreaterThanOrEqual(CONFIRM_GONE_CHECKS);
    expect(afterMs).toBeLessThan(CONFIRM_GONE_AFTER_MS + RECHECK_MAX_DELAY_MS);
  });

  it('many answers in a short time are not enough', () => {
    const entry: RecheckEntry = { groupId: G, since: at(0).toISOString(), checks: 40, nextAt: at(0).toISOString(), repairAfterSeq: 0 };
    expect(judgeGone(G, entry, at(CONFIRM_GONE_AFTER_MS - 1), 0).kind).toBe('unknown');
    expect(judgeGone(G, entry, at(CONFIRM_GONE_AFTER_MS), 0).kind).toBe('deleted');
  });
});
