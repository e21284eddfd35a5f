// gwb relays, dead-letters and resubmit against a fake admin API with the contract's shapes.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi, gwb, type FakeApi } from './fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const relay = (relayId: string, silent: boolean) => ({
  relayId,
  version: '0.1.0',
  host: 'relay01',
  dcUrl: 'ldaps://dc1.corp.example',
  lastMessageAt: '2026-12-01T10:00:00.000Z',
  counts: { applied: 10 },
  startedAt: '2026-12-01T08:00:00.000Z',
  lastHeartbeatAt: '2026-12-01T10:00:30.000Z',
  silentForSeconds: silent ? 930 : 5,
  silent,
});

describe('gwb relays', () => {
  it('lists the relays; exit 1 when one is silent or none reported', async () => {
    let relays = [relay('r1', false), relay('r2', true)];
    api = await fakeApi({ 'GET /api/relays': () => ({ json: { value: relays } }) });
    const r = await gwb(api, ['relays']);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/^RELAY\s+HOST\s+VERSION\s+DC\s+STARTED\s+LAST HEARTBEAT\s+LAST MESSAGE\s+STATE$/);
    expect(r.out[1]).toMatch(/^r1\s+relay01\s+0\.1\.0\s+ldaps:\/\/dc1\.corp\.example\s+2026-12-01 08:00:00Z\s+2026-12-01 10:00:30Z\s+2026-12-01 10:00:00Z\s+ok$/);
    expect(r.out[2]).toMatch(/SILENT 15m 30s$/);
    relays = [relay('r1', false)];
    expect((await gwb(api, ['relays'])).code).toBe(0);
    relays = [];
    const none = await gwb(api, ['relays']);
    expect(none.code).toBe(1);
    expect(none.out).toEqual(['no relay has reported: nothing is written to AD (docs/relay.md installs one)']);
  });
});

describe('gwb dead-letters and resubmit', () => {
  const letter = {
    queue: 'writeback',
    sequenceNumber: '42',
    messageId: 'm-42',
    groupId: '0bc7e5a1-1111-4c44-8d55-66778899aabb',
    reason: 'WritebackOuMissing',
    description: 'the writeback OU does not exist',
    enqueuedAt: '2026-12-01T10:00:00.000Z',
    deliveryCount: 1,
  };

  it('--queue is passed on; any dead letter exits 1; an empty queue exits 0', async () => {
    api = await fakeApi({ 'GET /api/dead-letters': (req) => ({ json: { value: req.query.get('queue') === 'writeback' ? [letter] : [] } }) });
    const r = await gwb(api, ['dead-letters', '--queue', 'writeback']);
    expect(r.code).toBe(1);
    expect(r.out[1]).toMatch(/^writeback\s+42\s+0bc7e5a1-1111-4c44-8d55-66778899aabb\s+WritebackOuMissing\s+2026-12-01 10:00:00Z\s+1\s+the writeback OU does not exist$/);
    expect(r.out.at(-1)).toBe('1 dead letter(s); gwb resubmit <queue> <sequence> sends one again');
    const empty = await gwb(api, ['dead-letters', '--queue', 'graph-changes']);
    expect(empty.code).toBe(0);
    expect(empty.out).toEqual(['no dead letters']);
    expect(api.requests.map((q) => q.query.toString())).toEqual(['queue=writeback', 'queue=graph-changes']);
  });

  it('resubmit posts to the message; a queue or number that cannot be is a usage error', async () => {
    api = await fakeApi({ 'POST /api/dead-letters/writeback/42/resubmit': () => ({ status: 202 }) });
    const r = await gwb(api, ['resubmit', 'writeback', '42']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out).toEqual(['resubmitted: writeback message 42 is on its queue again']);
    const bad = await Promise.all([gwb(api, ['resubmit', 'nope', '42']), gwb(api, ['resubmit', 'writeback', '4x2']), gwb(api, ['dead-letters', '--queue', 'nope'])]);
    expect(bad.map((b) => [b.code, b.err[0]])).toEqual([
      [2, 'the queue must be one of writeback, writeback-results, graph-changes'],
      [2, 'the sequence number is a whole number (gwb dead-letters lists them)'],
      [2, 'the queue must be one of writeback, writeback-results, graph-changes'],
    ]);
    expect(api.requests).toHaveLength(1);
  });
});
