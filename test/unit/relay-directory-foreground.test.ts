// A small change set in the foreground of the DC connection: a big group's bulk request waits for the whole
// change set, also across a gap between its requests longer than the lane's grace, and not beyond its limit.
import type { Client } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { Directory } from '../../relay/ldap/directory.js';
import { silentLogger } from '../../shared/logging.js';

// The requests below never reach a DC: only the order in which the connection is given out counts.
const fakeClient = { unbind: () => Promise.resolve() } as unknown as Client;

function directory(): Directory {
  return new Directory({
    urls: ['ldaps://dc.invalid:636'],
    caPem: '',
    bindDn: 'CN=relay',
    password: 'unused',
    timeoutMs: 1_000,
    idleReconnectMs: 600_000,
    log: silentLogger(),
    connect: () => Promise.resolve(fakeClient),
  });
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('relay DC connection: foreground change sets', () => {
  it('keeps a bulk request waiting through a change set whose requests are further apart than the grace', async () => {
    const dir = directory();
    await dir.open();
    const order: string[] = [];
    const request = (name: string, bulk = false): Promise<void> => dir.use(async () => void order.push(name), { bulk });
    let bulk: Promise<void> | undefined;
    await dir.foreground(async () => {
      await request('find');
      // The big group's next modify comes while the change set is between two requests.
      bulk = request('bulk modify', true);
      await pause(150); // three times the grace (50 ms)
      await request('modify');
      await request('add member');
    });
    await bulk;
    expect(order).toEqual(['find', 'modify', 'add member', 'bulk modify']);
  });

  it('without the foreground, the same gap lets the bulk request in between', async () => {
    const dir = directory();
    await dir.open();
    const order: string[] = [];
    const request = (name: string, bulk = false): Promise<void> => dir.use(async () => void order.push(name), { bulk });
    await request('find');
    const bulk = request('bulk modify', true);
    await pause(150);
    await request('modify');
    await bulk;
    expect(order).toEqual(['find', 'bulk modify', 'modify']);
  });

  it('lets the bulk request go after its limit however long the change set takes', async () => {
    const dir = directory();
    await dir.open();
    const order: string[] = [];
    await dir.foreground(async () => {
      const bulk = dir.use(async () => void order.push('bulk modify'), { bulk: true });
      await pause(1_300); // the lane's limit is 1 s
      order.push('change set still running');
      await bulk;
    });
    expect(order).toEqual(['bulk modify', 'change set still running']);
  });
});
