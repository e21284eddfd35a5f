import { describe, expect, it } from 'vitest';
import {
  CREATION_FIRST_CHECK_MS,
  CREATION_GIVE_UP_MS,
  CREATION_MAX_CHECK_MS,
  creationDue,
  judgeCreation,
  pendingCreation,
  type PendingCreation,
} from '../../../shared/domain/nested-creation.js';

const t0 = new Date('2025-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const G = 'e0000001-0000-4000-8000-0000000000c1';

describe('pending creations of AD groups', () => {
  it('lands only on an applied or partial result at or after the creating change set', () => {
    const p = pendingCreation(G, 500, t0);
    expect(judgeCreation(p, { lastResultSeq: 500, outcome: 'applied' }, at(1000))).toEqual({ kind: 'landed' });
    expect(judgeCreation(p, { lastResultSeq: 501, outcome: 'partial' }, at(1000))).toEqual({ kind: 'landed' });
    for (const seen of [null, { lastResultSeq: null, outcome: null }, { lastResultSeq: 499, outcome: 'applied' }, { lastResultSeq: 500, outcome: 'failed' }, { lastResultSeq: 500, outcome: 'skipped' }]) {
      expect(judgeCreation(p, seen, at(1000)).kind).toBe('waiting');
    }
  });

  it('looks again with backoff up to a cap, and gives up after a day', () => {
    let p: PendingCreation = pendingCreation(G, 1, t0);
    expect(Date.parse(p.nextAt) - t0.getTime()).toBe(CREATION_FIRST_CHECK_MS);
    expect(creationDue(p, at(CREATION_FIRST_CHECK_MS - 2_000))).toBe(false);
    expect(creationDue(p, at(CREATION_FIRST_CHECK_MS))).toBe(true);
    const delays: number[] = [];
    let now = t0.getTime();
    for (let i = 0; i < 10; i++) {
      now = Date.parse(p.nextAt);
      const v = judgeCreation(p, null, new Date(now));
      if (v.kind !== 'waiting') throw new Error('expected waiting');
      delays.push(Date.parse(v.next.nextAt) - now);
      p = v.next;
    }
    expect(delays.slice(0, 3)).toEqual([2 * CREATION_FIRST_CHECK_MS, 4 * CREATION_FIRST_CHECK_MS, 8 * CREATION_FIRST_CHECK_MS]);
    expect(delays.at(-1)).toBe(CREATION_MAX_CHECK_MS);
    expect(p.checks).toBe(10);
    expect(judgeCreation(p, null, at(CREATION_GIVE_UP_MS))).toEqual({ kind: 'givenUp' });
  });
});
