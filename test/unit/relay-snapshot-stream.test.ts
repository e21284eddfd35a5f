// Snapshots on a session without the DC: parts held for settling without their members, a permanent
// failure kept for every part's result while a transient one is thrown for a retry in place, and the
// progress log of long member work (figures, interval, rate).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { SnapshotPart, SnapshotStream } from '../../relay/apply/snapshot-stream.js';
import { MemberProgress } from '../../relay/apply/member-progress.js';
import type { ApplyResult } from '../../relay/apply/apply-result.js';
import { DirectoryUnavailableError } from '../../relay/ldap/failures.js';
import { SnapshotInProgress } from '../../relay/consume/snapshot-in-progress.js';
import { createLogger, silentLogger } from '../../shared/logging.js';
import type { ReceivedMessage } from '../../shared/ports/queue.js';
import { newGroupId, sidRef, snapshotMessages } from '../support/relay-fixture.js';

function received(body: unknown): ReceivedMessage {
  return { messageId: 'm', body, applicationProperties: {}, deliveryCount: 1, enqueuedTimeUtc: new Date(0), sequenceNumber: 1n, lockedUntilUtc: new Date(0) };
}

/** A stream that records the parts applied and fails as told. */
function fakeStream(failOn: Map<number, unknown>): { stream: SnapshotStream; applied: number[] } {
  const applied: number[] = [];
  const fake = {
    apply: (part: SnapshotPart): Promise<void> => {
      const error = failOn.get(part.part);
      if (error !== undefined) return Promise.reject(error);
      applied.push(part.part);
      return Promise.resolve();
    },
    finish: (): Promise<Map<number, ApplyResult>> =>
      Promise.resolve(new Map(applied.map((p) => [p, { outcome: 'applied', ad: null, memberErrors: [], error: null, membersAdded: p, membersRemoved: 0 }]))),
  };
  return { stream: fake as unknown as SnapshotStream, applied };
}

const parts = (): SnapshotPart[] =>
  snapshotMessages(newGroupId(), 10, ['S-1-5-21-1-2-3-1001', 'S-1-5-21-1-2-3-1002', 'S-1-5-21-1-2-3-1003'].map((s) => sidRef(s)), { parts: 3 });

describe('snapshot in progress', () => {
  it('holds applied parts without their members and gives the results in part order', async () => {
    const { stream, applied } = fakeStream(new Map());
    const [p1, p2, p3] = parts();
    const snap = new SnapshotInProgress(p1!, () => Promise.resolve(stream), 0);
    const items = [p1!, p2!, p3!].map((message) => ({ received: received(message), message }));
    const states = [];
    for (const item of items) {
      await snap.apply(item.message);
      states.push(snap.hold(item));
    }
    expect(states).toEqual(['waiting', 'waiting', 'complete']);
    expect(applied).toEqual([1, 2, 3]);
    expect(items.every((i) => i.received.body === null)).toBe(true);
    expect(snap.items().map((i) => [i.message.seq, (i.message as SnapshotPart).members])).toEqual([
      [10, []],
      [11, []],
      [12, []],
    ]);
    expect((await snap.finish(true)).map((r) => r.membersAdded)).toEqual([1, 2, 3]);
  });

  it('keeps a permanent failure for every part and applies no later part; a transient one is thrown for a retry', async () => {
    const refused = new Error('refused for good');
    const away = new DirectoryUnavailableError([{ url: 'ldaps://dc1.corp.example', error: 'ECONNREFUSED' }], false);
    const { stream, applied } = fakeStream(new Map<number, unknown>([[2, refused]]));
    const [p1, p2, p3] = parts();
    const snap = new SnapshotInProgress(p1!, () => Promise.resolve(stream), 0);
    await snap.apply(p1!);
    await snap.apply(p2!);
    await snap.apply(p3!);
    expect(applied).toEqual([1]);
    await expect(snap.finish(true)).rejects.toBe(refused);

    const flaky = fakeStream(new Map<number, unknown>([[1, away]]));
    const retried = new SnapshotInProgress(p1!, () => Promise.resolve(flaky.stream), 0);
    await expect(retried.apply(p1!)).rejects.toBe(away);
  });
});

describe('member progress', () => {
  it('logs every interval with the members done of the total, the counts, the rate and the stage', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    let now = 1_000;
    const reported: number[] = [];
    const log = createLogger('test', 'info', sink).child({ groupId: 'g1' });
    const progress = new MemberProgress({ log, everyMs: 5_000, minTotal: 5_000, now: () => now, onReport: (f) => reported.push(f.done) });
    now += 2_000;
    progress.note({ done: 2_000, total: 10_000, membersAdded: 1_500, stage: 'part 1 of 5' });
    expect(lines).toEqual([]);
    now += 3_000;
    progress.note({ done: 2_000, total: 10_000, membersAdded: 2_000, stage: 'part 2 of 5' });
    now += 1_000;
    progress.note({ done: 500, membersRemoved: 10, stage: 'removing' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ groupId: 'g1', msg: 'member progress', done: 4_000, total: 10_000, membersAdded: 3_500, membersRemoved: 0, perSecond: 800, stage: 'part 2 of 5' });
    expect(reported).toEqual([4_000]);
  });

  it('does not report work smaller than its minimum, however long it takes', () => {
    let now = 0;
    const reported: number[] = [];
    const progress = new MemberProgress({ log: silentLogger(), everyMs: 5_000, minTotal: 5_000, now: () => now, onReport: (f) => reported.push(f.done) });
    now += 60_000;
    progress.note({ done: 100, total: 4_999 });
    expect(reported).toEqual([]);
    now += 60_000;
    progress.note({ done: 4_900, total: 5_000 });
    expect(reported).toEqual([5_000]);
  });
});
