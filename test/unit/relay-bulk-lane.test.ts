// The bulk lane on the DC connection: a big group's request waits while other groups' requests are in
// flight or just ended, and not longer than its limit.
import { describe, expect, it } from 'vitest';
import { BulkLane } from '../../relay/ldap/bulk-lane.js';

describe('bulk lane', () => {
  it('lets a bulk request go at once when nothing else runs', async () => {
    const lane = new BulkLane({ graceMs: 50, maxWaitMs: 1_000 });
    const t0 = performance.now();
    await lane.turn();
    // Not held for the grace (50 ms) nor the limit.
    expect(performance.now() - t0).toBeLessThan(45);
  });

  it('holds it while another request is in flight and for the grace after it', async () => {
    const lane = new BulkLane({ graceMs: 50, maxWaitMs: 5_000 });
    lane.enter();
    const t0 = performance.now();
    let wentAt = 0;
    const waiting = lane.turn().then(() => (wentAt = performance.now() - t0));
    await new Promise((r) => setTimeout(r, 150));
    expect(wentAt).toBe(0);
    lane.leave();
    await waiting;
    expect(wentAt).toBeGreaterThanOrEqual(195);
    // Went because the other request ended, not because of its limit.
    expect(wentAt).toBeLessThan(4_000);
  });

  it('goes after its limit however busy the connection is', async () => {
    const lane = new BulkLane({ graceMs: 50, maxWaitMs: 200 });
    lane.enter();
    const t0 = performance.now();
    await lane.turn();
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(195);
  });
});
