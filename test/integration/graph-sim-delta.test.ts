// Graph simulator: /groups/delta wire shapes through the real Graph client (paging in items, big groups
// spanning pages, @removed shapes, latest token, $filter, token expiry variants, replays, empty pages).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { simulatorGraphClient } from '../support/graph.js';

const SELECT = 'displayName,description,groupTypes,mailEnabled,securityEnabled,mail,mailNickname,proxyAddresses,onPremisesSyncEnabled,members';

interface DeltaMember { '@odata.type': string; id: string; '@removed'?: { reason: string } }
interface DeltaGroup { id: string; displayName?: string; '@removed'?: { reason: string }; 'members@delta'?: DeltaMember[]; [k: string]: unknown }
interface DeltaPage { '@odata.nextLink'?: string; '@odata.deltaLink'?: string; value: DeltaGroup[] }

let sim: GraphSimulator;
let client: Client;

async function round(first: string): Promise<{ pages: DeltaPage[]; deltaLink: string }> {
  const pages: DeltaPage[] = [];
  let page = (await client.api(first).get()) as DeltaPage;
  pages.push(page);
  while (page['@odata.nextLink']) {
    page = (await client.api(page['@odata.nextLink']).get()) as DeltaPage;
    pages.push(page);
  }
  return { pages, deltaLink: page['@odata.deltaLink'] ?? '' };
}

/** Merge per group id (what a consumer must do): members@delta across repeats, last @removed wins. */
function merge(pages: DeltaPage[]): Map<string, { props: Record<string, unknown>; added: Set<string>; removed: Set<string>; removal?: string }> {
  const out = new Map<string, { props: Record<string, unknown>; added: Set<string>; removed: Set<string>; removal?: string }>();
  for (const g of pages.flatMap((p) => p.value)) {
    const acc = out.get(g.id) ?? { props: {}, added: new Set<string>(), removed: new Set<string>() };
    const { 'members@delta': members, '@removed': removed, ...props } = g;
    Object.assign(acc.props, props);
    if (removed) acc.removal = removed.reason;
    for (const m of members ?? []) (m['@removed'] ? acc.removed : acc.added).add(m.id);
    out.set(g.id, acc);
  }
  return out;
}

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    return e as GraphError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sim = await startGraphSimulator({ tls: true, requireAuth: true });
  client = simulatorGraphClient(sim);
});
afterAll(async () => sim.close());
beforeEach(() => {
  sim.control.reset();
  sim.control.setDeltaBehavior({ pageSize: 100, emptyPagesPerRound: 0, replayEvery: 0, changedPropertiesOnly: false, replicationLagMs: 0 });
});

function users(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(sim.control.createUser({ displayName: `User ${i}`, synced: true })['id']));
}

describe('graph simulator: groups delta', () => {
  it('pages a first round in items, a big group reappearing with more members@delta, nextLink xor deltaLink', async () => {
    sim.control.setDeltaBehavior({ pageSize: 5 });
    const ids = users(12);
    const big = String(sim.control.createGroup({ displayName: 'Big', kind: 'security', members: ids })['id']);
    const small = String(sim.control.createGroup({ displayName: 'Small', kind: 'm365', members: ids.slice(0, 1) })['id']);
    const deleted = String(sim.control.createGroup({ displayName: 'Gone', kind: 'security' })['id']);
    sim.control.deleteGroup(deleted);

    const { pages, deltaLink } = await round(`/groups/delta?$select=${SELECT}`);
    expect(pages.length).toBeGreaterThan(2);
    for (const [i, p] of pages.entries()) {
      const last = i === pages.length - 1;
      expect(Boolean(p['@odata.nextLink'])).toBe(!last);
      expect(Boolean(p['@odata.deltaLink'])).toBe(last);
      const items = p.value.reduce((n, g) => n + 1 + (g['members@delta']?.length ?? 0), 0);
      expect(items).toBeLessThanOrEqual(5);
    }
    expect(deltaLink).toContain('$deltatoken=');
    const bigPages = pages.filter((p) => p.value.some((g) => g.id === big));
    expect(bigPages.length).toBeGreaterThan(1);
    const merged = merge(pages);
    expect([...merged.keys()].sort()).toEqual([big, small].sort());
    expect([...(merged.get(big)?.added ?? [])].sort()).toEqual([...ids].sort());
    expect(merged.get(big)?.props['displayName']).toBe('Big');
    expect(merged.get(small)?.props).toMatchObject({ displayName: 'Small', groupTypes: ['Unified'], mailEnabled: true });
    const entry = pages.flatMap((p) => p.value).find((g) => g.id === big && g['members@delta'])?.['members@delta']?.[0];
    expect(entry).toEqual({ '@odata.type': '#microsoft.graph.user', id: expect.any(String) });
  });

  it('later rounds return only changes: member adds and removals, changed groups, soft and permanent deletions', async () => {
    const [a, b, c] = users(3) as [string, string, string];
    const g1 = String(sim.control.createGroup({ displayName: 'One', kind: 'security', members: [a, b] })['id']);
    const g2 = String(sim.control.createGroup({ displayName: 'Two', kind: 'm365' })['id']);
    const g3 = String(sim.control.createGroup({ displayName: 'Three', kind: 'security' })['id']);
    const quiet = String(sim.control.createGroup({ displayName: 'Quiet', kind: 'security' })['id']);
    const first = await round(`/groups/delta?$select=${SELECT}`);

    sim.control.addMembers(g1, [c]);
    sim.control.removeMembers(g1, [a]);
    sim.control.updateGroup(g1, { properties: { displayName: 'One renamed' } });
    sim.control.deleteGroup(g2); // Microsoft 365: soft delete
    sim.control.deleteGroup(g3); // security: permanent
    const second = await round(first.deltaLink);
    const merged = merge(second.pages);
    expect(merged.has(quiet)).toBe(false);
    expect(merged.get(g1)?.props['displayName']).toBe('One renamed');
    expect([...(merged.get(g1)?.added ?? [])]).toEqual([c]);
    expect([...(merged.get(g1)?.removed ?? [])]).toEqual([a]);
    const removal = second.pages.flatMap((p) => p.value).find((g) => g.id === g1)?.['members@delta']?.find((m) => m.id === a);
    expect(removal).toEqual({ '@odata.type': '#microsoft.graph.user', id: a, '@removed': { reason: 'deleted' } });
    expect(second.pages.flatMap((p) => p.value).find((g) => g.id === g2)).toEqual({ id: g2, '@removed': { reason: 'changed' } });
    expect(merged.get(g3)?.removal).toBe('deleted');

    const third = await round(second.deltaLink);
    expect(third.pages).toHaveLength(1);
    expect(third.pages[0]?.value).toEqual([]);
    expect(third.deltaLink).toContain('$deltatoken=');
  });

  it('$deltatoken=latest returns a deltaLink and no data; later changes follow', async () => {
    const g = String(sim.control.createGroup({ displayName: 'Existing', kind: 'security' })['id']);
    const latest = (await client.api(`/groups/delta?$select=${SELECT}&$deltatoken=latest`).get()) as DeltaPage;
    expect(latest.value).toEqual([]);
    expect(latest['@odata.nextLink']).toBeUndefined();
    expect(latest['@odata.deltaLink']).toContain('$deltatoken=');
    sim.control.updateGroup(g, { properties: { description: 'changed' } });
    const next = await round(latest['@odata.deltaLink'] ?? '');
    expect(next.pages.flatMap((p) => p.value).map((x) => x.id)).toEqual([g]);
  });

  it('$filter by id limits the round and rejects more than 50 ids', async () => {
    const a = String(sim.control.createGroup({ displayName: 'A', kind: 'security' })['id']);
    sim.control.createGroup({ displayName: 'B', kind: 'security' });
    const r = await round(`/groups/delta?$select=displayName&$filter=id eq '${a}'`);
    expect(r.pages.flatMap((p) => p.value)).toEqual([{ id: a, displayName: 'A' }]);
    const many = Array.from({ length: 51 }, () => `id eq '${crypto.randomUUID()}'`).join(' or ');
    const err = await graphError(client.api(`/groups/delta?$filter=${many}`).get());
    expect(err.statusCode).toBe(400);
    const top = await graphError(client.api('/groups/delta?$top=5').get());
    expect(top.statusCode).toBe(400);
  });

  it('expired tokens: 410 Gone with a Location header, 400 syncStateNotFound (also by age), 400 resyncRequired', async () => {
    sim.control.createGroup({ displayName: 'G', kind: 'security' });
    const { deltaLink } = await round(`/groups/delta?$select=${SELECT}`);

    sim.control.invalidateDeltaTokens('gone');
    const gone = await graphError(client.api(deltaLink).get());
    expect(gone.statusCode).toBe(410);
    const location = (gone.headers as Headers | undefined)?.get('location') ?? '';
    expect(location).toMatch(/\/v1\.0\/groups\/delta\?\$select=displayName,.*members&\$deltatoken=$/);
    const restart = await round(location);
    expect(restart.pages.flatMap((p) => p.value)).toEqual([expect.objectContaining({ displayName: 'G', mailEnabled: false })]);

    sim.control.invalidateDeltaTokens('syncStateNotFound');
    const stale = await graphError(client.api(restart.deltaLink).get());
    expect(stale.statusCode).toBe(400);
    expect(stale.code).toBe('syncStateNotFound');

    const fresh = await round(`/groups/delta?$select=${SELECT}`);
    sim.control.advanceClock(8 * 24 * 3600 * 1000);
    const aged = await graphError(client.api(fresh.deltaLink).get());
    expect(aged.code).toBe('syncStateNotFound');

    const again = await round(`/groups/delta?$select=${SELECT}`);
    sim.control.invalidateDeltaTokens('resyncRequired');
    const resync = await graphError(client.api(again.deltaLink).get());
    expect(resync.statusCode).toBe(400);
    expect(resync.code).toBe('resyncRequired');
  });

  it('empty nextLink pages and replays still merge to the same result', async () => {
    sim.control.setDeltaBehavior({ pageSize: 4, emptyPagesPerRound: 2, replayEvery: 1 });
    const ids = users(5);
    const g = String(sim.control.createGroup({ displayName: 'Replayed', kind: 'security', members: ids })['id']);
    const { pages } = await round(`/groups/delta?$select=${SELECT}`);
    expect(pages[0]?.value).toEqual([]);
    expect(pages[0]?.['@odata.nextLink']).toBeTruthy();
    const objects = pages.flatMap((p) => p.value).filter((x) => x.id === g);
    expect(objects.length).toBeGreaterThan(new Set(objects.map((o) => JSON.stringify(o))).size);
    expect([...(merge(pages).get(g)?.added ?? [])].sort()).toEqual([...ids].sort());
  });

  it('changedPropertiesOnly sends id plus the changed properties; a retried nextLink returns the same page', async () => {
    const g = String(sim.control.createGroup({ displayName: 'Props', kind: 'security', description: 'd' })['id']);
    const first = await round(`/groups/delta?$select=${SELECT}`);
    sim.control.setDeltaBehavior({ changedPropertiesOnly: true, pageSize: 2 });
    sim.control.updateGroup(g, { properties: { description: 'new' } });
    const second = await round(first.deltaLink);
    expect(second.pages.flatMap((p) => p.value)).toEqual([{ id: g, description: 'new' }]);

    sim.control.setDeltaBehavior({ changedPropertiesOnly: false });
    sim.control.createGroup({ displayName: 'x1', kind: 'security' });
    sim.control.createGroup({ displayName: 'x2', kind: 'security' });
    sim.control.createGroup({ displayName: 'x3', kind: 'security' });
    const page1 = (await client.api(second.deltaLink).get()) as DeltaPage;
    const next = page1['@odata.nextLink'] ?? '';
    expect(next).toContain('$skiptoken=');
    expect(await client.api(next).get()).toEqual(await client.api(next).get());
  });

  it('/beta delta can select writebackConfiguration; /v1.0 rejects it like an unknown property', async () => {
    const g = String(sim.control.createGroup({ displayName: 'WB', kind: 'm365', writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' } })['id']);
    const beta = (await client.api('/groups/delta?$select=displayName,writebackConfiguration').version('beta').get()) as DeltaPage;
    expect(beta.value).toEqual([{ id: g, displayName: 'WB', writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' } }]);
    const v1 = await graphError(client.api('/groups/delta?$select=displayName,writebackConfiguration').get());
    expect(v1.statusCode).toBe(400);
    expect(v1.code).toBe('Request_BadRequest');
  });
});
