// gwb resync following a resync from /api/status, against a fake admin API whose groups go pending, then
// get their results: the groups it covers, done of total, the bar on a terminal and plain lines otherwise,
// the summary and exit codes, and --timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi, gwb, summary, type FakeApi } from './fake-api.js';

const ids = Array.from({ length: 10 }, (_, i) => `0bc7e5a1-${String(i).padStart(4, '0')}-4c44-8d55-66778899aabb`);
const skipped = '0bc7e5a1-9999-4c44-8d55-66778899aabb';
const OLD = '2020-01-01T10:00:05.000Z';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** Ten written groups and a skipped one; after the resync is asked for, each status read moves the next
 *  two groups to pending and gives the previous two their result (`last` for the final one). */
function resyncingApi(last: string): Promise<FakeApi> {
  let reads = -1;
  return fakeApi({
    'POST /api/resync': () => {
      reads = 0;
      return { status: 202, json: { enqueued: 'reconcile' } };
    },
    'GET /api/status': () => {
      const now = new Date(Date.now() + 1000).toISOString();
      const value = ids.map((id, i) => {
        if (reads < 0 || i >= reads * 2) return summary(id, `G${i}`, 'written', { lastResultAt: OLD });
        if (i >= (reads - 1) * 2) return summary(id, `G${i}`, 'pending', { lastResultAt: OLD });
        return summary(id, `G${i}`, i === ids.length - 1 ? last : 'written', { lastResultAt: now });
      });
      if (reads >= 0) reads++;
      return { json: { count: 11, value: [...value, summary(skipped, 'Out', 'skipped', { lastResultAt: null })], nextSkip: null } };
    },
  });
}

describe('gwb resync', () => {
  it('follows every group the resync covers to its result: plain lines without a terminal, exit 0', async () => {
    api = await resyncingApi('written');
    const r = await gwb(api, ['resync']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(api.requests.filter((q) => q.method === 'POST').map((q) => q.body)).toEqual([{ mode: 'reconcile' }]);
    expect(r.err[0]).toBe('reconcile of every group asked for: following 10 group(s) (Ctrl-C stops watching; the resync goes on)');
    const lines = r.err.slice(1);
    expect(lines[0]).toMatch(/^reconcile: 0 of 10 groups done \(0\.0\/s, \? left\)$/);
    expect(lines.at(-1)).toMatch(/^reconcile: 10 of 10 groups done \([\d.]+\/s, 0s left\)$/);
    const done = lines.map((l) => Number(/: (\d+) of/.exec(l)?.[1]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(r.redraws).toEqual([]);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^reconcile done: 10 group\(s\) in \d+s: 10 written$/);
  });

  it('draws a bar on a terminal; a group that ended failed exits 1; --json summarises', async () => {
    api = await resyncingApi('failed');
    const r = await gwb(api, ['resync', '--json'], { interactive: true });
    expect(r.code).toBe(1);
    expect(r.redraws[0]).toMatch(/^reconcile \[-{30}\] 0\/10 groups {2}0\.0\/s {2}ETA \?$/);
    expect(r.redraws.at(-2)).toMatch(/^reconcile \[#{30}\] 10\/10 groups {2}[\d.]+\/s {2}ETA 0s$/);
    expect(r.redraws.at(-1)).toBe('');
    expect(JSON.parse(r.out.join('\n'))).toMatchObject({ mode: 'reconcile', total: 10, done: 10, finished: true, states: { written: 9, failed: 1 } });
  });

  it('--no-progress on a terminal prints plain lines; --groups resolves names and follows only those', async () => {
    api = await resyncingApi('written');
    const r = await gwb(api, ['resync', '--groups', 'G0', '--groups', `${ids[1]},G2`, '--mode', 'resync', '--no-progress'], { interactive: true });
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.redraws).toEqual([]);
    expect(api.requests.find((q) => q.method === 'POST')?.body).toEqual({ mode: 'resync', groupIds: [ids[0], ids[1], ids[2]] });
    expect(r.out[0]).toMatch(/^resync done: 3 group\(s\) in \d+s: 3 written$/);
  });

  it('--timeout stops following (exit 1) and says the resync goes on', async () => {
    api = await fakeApi({
      'POST /api/resync': () => ({ status: 202, json: { enqueued: 'reconcile' } }),
      'GET /api/status': () => ({ json: { count: 1, value: [summary(ids[0]!, 'G0', 'pending')], nextSkip: null } }),
    });
    const r = await gwb(api, ['resync', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/^still running after 1s: 0 of 1 group\(s\) done \(the resync goes on; gwb status follows it\): 1 pending$/);
  });

  it('bad options are usage errors before anything is asked for', async () => {
    api = await resyncingApi('written');
    const runs = await Promise.all([gwb(api, ['resync', '--mode', 'full']), gwb(api, ['resync', '--timeout', '0'])]);
    expect(runs.map((r) => [r.code, r.err[0]])).toEqual([
      [2, '--mode must be reconcile or resync'],
      [2, '--timeout must be a whole number from 1 to 604800'],
    ]);
    expect(api.requests).toEqual([]);
  });
});
