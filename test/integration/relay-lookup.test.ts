// The relay's lookups by SID and by anchor against the real Samba DC, with lists longer than one OR filter
// holds: every batch is searched and nothing is lost at a batch boundary (a 20,000-member group is checked
// in a few large searches, see bench/member-throughput.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDomainLocalGroupSids, findGroupsByAnchors } from '../../relay/apply/lookup.js';
import { createGroup, uniqueSuffix } from '../support/ad.js';
import { relayFixture, type RelayFixture } from '../support/relay-fixture.js';

let fx: RelayFixture;

beforeAll(async () => {
  fx = await relayFixture('relay-lookup');
});

afterAll(async () => {
  await fx?.close();
});

/** `count` distinct SIDs of this domain that no object has (RIDs far above what the test DC hands out). */
function unknownSids(like: string, count: number): string[] {
  const domain = like.split('-').slice(0, -1).join('-');
  const base = 5_000_000 + Math.floor(Math.random() * 1_000_000);
  return Array.from({ length: count }, (_, i) => `${domain}-${base + i}`);
}

describe('lookups over many values', () => {
  it('finds the domain-local groups among 2,500 SIDs, wherever they sit in the list', async () => {
    const local = await createGroup(fx.admin, fx.otherOu, `dl${uniqueSuffix()}`, { scope: 'domainLocal', security: true });
    const local2 = await createGroup(fx.admin, fx.otherOu, `dl${uniqueSuffix()}`, { scope: 'domainLocal', security: false });
    const universal = await createGroup(fx.admin, fx.otherOu, `ug${uniqueSuffix()}`, { scope: 'universal', security: true });
    const sids = unknownSids(local.objectSid, 2_497);
    // First, last and just past the 100 and 1,000 value marks; one in lower case (SIDs compare upper-case).
    sids.splice(0, 0, local.objectSid.toLowerCase());
    sids.splice(1_000, 0, local2.objectSid);
    sids.splice(1_001, 0, universal.objectSid);
    sids.push(local.objectSid);

    const found = await fx.directory.use((c) => findDomainLocalGroupSids(c, fx.ctx, sids));

    expect([...found].sort()).toEqual([local.objectSid, local2.objectSid].map((s) => s.toUpperCase()).sort());
  });

  it('finds written-back groups by anchor among 2,500 anchors', async () => {
    const ids = [randomUUID(), randomUUID()];
    const groups = [];
    for (const id of ids) {
      groups.push(await createGroup(fx.admin, fx.writebackOu, `g${uniqueSuffix()}`, { scope: 'universal', security: true, adminDescription: `Group_${id}` }));
    }
    const anchors = Array.from({ length: 2_498 }, () => `Group_${randomUUID()}`);
    anchors.splice(999, 0, `Group_${ids[0]!.toUpperCase()}`);
    anchors.push(`Group_${ids[1]}`);

    const found = await fx.directory.use((c) => findGroupsByAnchors(c, fx.ctx, anchors));

    expect([...found.keys()].sort()).toEqual(ids.map((id) => `group_${id}`).sort());
    expect(found.get(`group_${ids[0]}`)?.objectGUID).toBe(groups[0]!.objectGUID);
    expect(found.get(`group_${ids[1]}`)?.dn).toBe(groups[1]!.dn);
  });
});
