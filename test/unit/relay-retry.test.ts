// Waiting out transient failures without a DC: the backoff curve, the in-place retry loop (what it logs,
// what stops it, what it does not retry), the directory gate's probe, and member writes meeting no DC.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { writeMembers } from '../../relay/apply/member-writer.js';
import { backoffDelay } from '../../relay/consume/backoff.js';
import { DirectoryGate } from '../../relay/consume/directory-gate.js';
import { applyInPlace } from '../../relay/consume/retry-in-place.js';
import { emptyStats } from '../../relay/consume/stats.js';
import type { Directory } from '../../relay/ldap/directory.js';
import { DirectoryUnavailableError, RefusedError } from '../../relay/ldap/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';

const backoff = { initialMs: 10, maxMs: 40 };

function capture(): { log: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log: Logger = pino({ level: 'info' }, stream);
  return { log: log.child({ groupId: 'g1' }), records };
}

const outage = (): DirectoryUnavailableError => new DirectoryUnavailableError([{ url: 'ldaps://dc1', error: 'connect ECONNREFUSED' }], false);

describe('backoff', () => {
  it('doubles from the first delay up to the cap, with jitter between half and all of it', () => {
    const b = { initialMs: 1_000, maxMs: 300_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, b, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(20, b, () => 1)).toBe(300_000);
    expect(backoffDelay(2_000, b, () => 1)).toBe(300_000);
    expect(backoffDelay(3, b, () => 0)).toBe(2_000);
  });
});

describe('retry in place', () => {
  it('retries a transient failure with the same message, logging attempt, delay and cause with the group', async () => {
    const { log, records } = capture();
    const stats = emptyStats();
    const gate = new DirectoryGate({ probe: () => Promise.reject(outage()), backoff: { initialMs: 60_000, maxMs: 60_000 }, log: silentLogger() });
    let calls = 0;
    const result = await applyInPlace(
      async () => {
        calls += 1;
        if (calls < 3) throw outage();
        return 'done';
      },
      new AbortController().signal,
      log,
      { gate, backoff, stats },
    );
    gate.stop();
    expect(result).toBe('done');
    expect(stats.retries).toBe(2);
    expect(gate.isOpen).toBe(true); // the applied message reopened it
    const waits = records.filter((r) => r['msg'] === 'transient failure: keeping the message, retrying it in place');
    expect(waits.map((r) => [r['groupId'], r['attempt']])).toEqual([
      ['g1', 1],
      ['g1', 2],
    ]);
    expect(waits.every((r) => typeof r['delayMs'] === 'number' && String(r['cause']).includes('ECONNREFUSED'))).toBe(true);
  });

  it('throws a permanent failure at once, and lets go (null) when the wait is cut short', async () => {
    const gate = new DirectoryGate({ probe: () => Promise.reject(outage()), backoff, log: silentLogger() });
    const opts = { gate, backoff: { initialMs: 60_000, maxMs: 60_000 }, stats: emptyStats() };
    const refused = new RefusedError('WritebackOuMissing', 'gone');
    await expect(applyInPlace(() => Promise.reject(refused), new AbortController().signal, silentLogger(), opts)).rejects.toBe(refused);
    expect(opts.stats.retries).toBe(0);
    const stopping = new AbortController();
    const waiting = applyInPlace(() => Promise.reject(outage()), stopping.signal, silentLogger(), opts);
    setTimeout(() => stopping.abort(), 20);
    expect(await waiting).toBeNull();
    gate.stop();
  });

  it('closes the gate on an outage; its probe reopens it, and the waiting message goes on at once', async () => {
    let dcUp = false;
    const probe = async (): Promise<void> => {
      if (!dcUp) throw outage();
    };
    const gate = new DirectoryGate({ probe, backoff, log: silentLogger() });
    let calls = 0;
    const started = Date.now();
    const result = applyInPlace(
      async () => {
        calls += 1;
        if (!dcUp) throw outage();
        return calls;
      },
      new AbortController().signal,
      silentLogger(),
      { gate, backoff: { initialMs: 60_000, maxMs: 60_000 }, stats: emptyStats() },
    );
    await new Promise((r) => setTimeout(r, 30));
    expect(gate.isOpen).toBe(false);
    expect(await gate.whenOpen(AbortSignal.timeout(50))).toBe(false); // still closed: the probe fails
    dcUp = true;
    expect(await result).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000); // not the message's own 60 s delay
    expect(gate.isOpen).toBe(true);
    gate.stop();
  });
});

describe('member writes', () => {
  it('meeting no DC fail the whole message (retried in place), instead of reporting each member', async () => {
    const noDc = { use: () => Promise.reject(outage()) } as unknown as Directory;
    const members = [{ cloudId: 'm1', value: '<SID=S-1-5-21-1-2-3-1001>' }];
    await expect(writeMembers(noDc, 'CN=g,OU=w,DC=x', 'add', members, 500)).rejects.toBeInstanceOf(DirectoryUnavailableError);
  });
});
