// The relay's LDAP exports against the real Samba AD DC, each test in its own OU: create, idempotent
// re-apply, rename and move keeping objectGUID/SID, a group AD Connect wrote adopted in place, attribute
// updates, member changes in chunks with bad members isolated, AD's nesting rule, snapshots (drift repair,
// empty, a big group's in the bulk lane), delete only by anchor, staging.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from 'ldapts';
import { applyDelete } from '../../relay/apply/apply-delete.js';
import { applySnapshot } from '../support/apply-snapshot.js';
import { applyUpsert } from '../../relay/apply/apply-upsert.js';
import { readMembers } from '../../relay/ldap/ranged-members.js';
import { RefusedError } from '../../relay/ldap/errors.js';
import { DirectoryUnavailableError } from '../../relay/ldap/failures.js';
import { SnapshotStream } from '../../relay/apply/snapshot-stream.js';
import type { MemberRef } from '../../shared/contracts/writeback-message.js';
import { addMembers, createGroup, createUser, readObject, uniqueSuffix, type AdObject } from '../support/ad.js';
import {
  deleteMessage,
  groupRef,
  headerFor,
  newGroupId,
  relayFixture,
  sidRef,
  snapshotMessages,
  upsertMessage,
  type RelayFixture,
} from '../support/relay-fixture.js';

let fx: RelayFixture;
let usersOu: string;

beforeAll(async () => {
  fx = await relayFixture('relay-apply');
  usersOu = `OU=People,${fx.ouDn}`;
  await fx.admin.add(usersOu, { objectClass: ['top', 'organizationalUnit'] });
});

afterAll(async () => {
  await fx?.close();
});

type Modify = (dn: string, change: Change | Change[], ...rest: unknown[]) => Promise<void>;

/** The fixture's directory with every client's `modify` going through `around` (which calls the real one, or not). */
function withModify(around: (modify: Modify, dn: string, change: Change | Change[], rest: unknown[]) => Promise<void>): typeof fx.directory {
  const directory = Object.create(fx.directory) as typeof fx.directory;
  directory.use = (fn, opts) =>
    fx.directory.use(
      (client) =>
        fn(
          new Proxy(client, {
            get(target, prop, receiver) {
              const value: unknown = Reflect.get(target, prop, receiver);
              if (prop !== 'modify' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
              const modify: Modify = (...args) => (value as Modify).apply(target, args);
              return (dn: string, change: Change | Change[], ...rest: unknown[]) => around(modify, dn, change, rest);
            },
          }),
        ),
      opts,
    );
  return directory;
}

async function users(n: number): Promise<AdObject[]> {
  const created: AdObject[] = [];
  for (let i = 0; i < n; i += 1) created.push(await createUser(fx.admin, usersOu, `u${uniqueSuffix()}`));
  return created;
}

/** Current member SIDs of a group, read the way the relay reads them. */
async function memberSids(dn: string): Promise<string[]> {
  return (await readMembers(fx.directory, dn)).map((m) => m.sid ?? m.guid).sort();
}

/** A SID of this domain that no object has. */
function unknownSid(like: AdObject): string {
  return `${like.objectSid.split('-').slice(0, -1).join('-')}-${900000 + Math.floor(Math.random() * 99999)}`;
}


describe('upsert', () => {
  it('creates the group in the writeback OU with the managed attributes', async () => {
    const groupId = newGroupId();
    const header = headerFor(groupId, { description: 'Sales, EMEA; "quoted" <x>' });
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header }));
    expect(result.outcome).toBe('applied');
    expect(result.ad?.dn).toBe(`CN=${header.cn},${fx.writebackOu}`);
    const ad = await readObject(fx.admin, result.ad!.dn);
    expect(ad.objectGUID).toBe(result.ad!.objectGUID);
    expect(ad.objectSid).toBe(result.ad!.objectSid);
    expect(ad.sAMAccountName).toBe(header.samAccountName);
    expect(ad.groupType).toBe(-2147483640);
    expect(ad.adminDescription).toBe(`Group_${groupId}`);
    const { searchEntries } = await fx.admin.search(result.ad!.dn, { scope: 'base', attributes: ['displayName', 'description'] });
    expect(searchEntries[0]!['displayName']).toBe(header.displayName);
    expect(searchEntries[0]!['description']).toBe(header.description);
  });

  it('is idempotent: applying the same message again changes nothing', async () => {
    const groupId = newGroupId();
    const [member] = await users(1);
    const message = upsertMessage(groupId, 1, { add: [sidRef(member!.objectSid)] });
    const first = await applyUpsert(fx.env(), message);
    const again = await applyUpsert(fx.env(), message);
    expect(again.memberErrors).toEqual([]);
    expect(again.outcome).toBe('applied');
    expect(again.ad).toEqual(first.ad);
    expect(await memberSids(first.ad!.dn)).toEqual([member!.objectSid]);
  });

  it('renames with modifyDN when the cn changes, keeping objectGUID and objectSid', async () => {
    const groupId = newGroupId();
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1));
    const renamed = headerFor(groupId, { cn: `Renamed, with comma_${groupId.slice(-12)}`, displayName: 'Renamed' });
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 2, { header: renamed }));
    expect(result.ad?.dn).toBe(`CN=Renamed\\, with comma_${groupId.slice(-12)},${fx.writebackOu}`);
    expect(result.ad?.objectGUID).toBe(created.ad?.objectGUID);
    expect(result.ad?.objectSid).toBe(created.ad?.objectSid);
    const ad = await readObject(fx.admin, `<GUID=${created.ad!.objectGUID}>`);
    expect(ad.dn).toBe(result.ad!.dn);
  });

  it('updates a changed description and removes a cleared one', async () => {
    const groupId = newGroupId();
    const { ad } = await applyUpsert(fx.env(), upsertMessage(groupId, 1));
    const read = async (): Promise<unknown> =>
      (await fx.admin.search(ad!.dn, { scope: 'base', attributes: ['description'] })).searchEntries[0]!['description'];
    await applyUpsert(fx.env(), upsertMessage(groupId, 2, { header: headerFor(groupId, { description: 'new text' }) }));
    expect(await read()).toBe('new text');
    await applyUpsert(fx.env(), upsertMessage(groupId, 3, { header: headerFor(groupId, { description: null }) }));
    expect([await read()].flat()).toEqual([]);
  });

  it('moves a group carrying the anchor from elsewhere into the writeback OU, keeping its identity', async () => {
    const groupId = newGroupId();
    const header = headerFor(groupId);
    // A move needs the relay's rights where the group is too (docs/relay.md; without them: relay-permissions.test.ts).
    const from = `OU=Moved from ${uniqueSuffix()},${fx.ouDn}`;
    await fx.admin.add(from, { objectClass: ['top', 'organizationalUnit'] });
    await fx.delegate(from);
    const stray = await createGroup(fx.admin, from, header.samAccountName, {
      scope: 'universal',
      security: true,
      cn: header.cn,
      adminDescription: header.anchor,
    });
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header }));
    expect(result.ad?.dn).toBe(`CN=${header.cn},${fx.writebackOu}`);
    expect(result.ad?.objectGUID).toBe(stray.objectGUID);
    expect(result.ad?.objectSid).toBe(stray.objectSid);
  });

  it('adopts a group AD Connect wrote: same objectGUID, SID and sAMAccountName; cn, type and members from the cloud', async () => {
    const groupId = newGroupId();
    const header = headerFor(groupId);
    const aadcOu = `OU=AADC ${uniqueSuffix()},${fx.ouDn}`;
    await fx.admin.add(aadcOu, { objectClass: ['top', 'organizationalUnit'] });
    await fx.delegate(aadcOu);
    const [kept, dropped] = await users(2);
    // AD Connect's own sAMAccountName and the displayName CN format, written as a universal distribution group.
    const aadc = await createGroup(fx.admin, aadcOu, `Aadc-${uniqueSuffix()}`, {
      scope: 'universal',
      security: false,
      cn: `Old name_${groupId.slice(-12)}`,
      adminDescription: header.anchor,
    });
    await addMembers(fx.admin, aadc.dn, [kept!.dn, dropped!.dn]);
    const { results } = await applySnapshot(fx.env(), snapshotMessages(groupId, 1, [sidRef(kept!.objectSid)]), true);
    expect(results[0]!.outcome).toBe('applied');
    const adopted = await readObject(fx.admin, `<GUID=${aadc.objectGUID}>`);
    expect(adopted.dn).toBe(`CN=${header.cn},${fx.writebackOu}`);
    expect(adopted.objectSid).toBe(aadc.objectSid);
    expect(adopted.sAMAccountName).toBe(aadc.sAMAccountName);
    expect(adopted.groupType).toBe(-2147483640);
    expect(await memberSids(adopted.dn)).toEqual([kept!.objectSid]);
  });

  it('adds and removes members in chunks; a bad SID does not block the others', async () => {
    const groupId = newGroupId();
    const people = await users(7);
    const bad = sidRef(unknownSid(people[0]!));
    const add = [...people.slice(0, 3).map((u) => sidRef(u.objectSid)), bad, ...people.slice(3).map((u) => sidRef(u.objectSid))];
    const env = fx.env({ memberChunkSize: 3 });
    const result = await applyUpsert(env, upsertMessage(groupId, 1, { add }));
    expect(result.outcome).toBe('partial');
    expect(result.membersAdded).toBe(7);
    expect(result.memberErrors).toHaveLength(1);
    expect(result.memberErrors[0]!.member).toBe(bad.cloudId);
    expect(result.memberErrors[0]!.message).toMatch(/sid/i);
    expect(await memberSids(result.ad!.dn)).toEqual(people.map((u) => u.objectSid).sort());

    const remove = people.slice(0, 4).map((u) => sidRef(u.objectSid));
    const removed = await applyUpsert(env, upsertMessage(groupId, 2, { remove }));
    expect(removed.outcome).toBe('applied');
    expect(removed.membersRemoved).toBe(4);
    expect(await memberSids(result.ad!.dn)).toEqual(people.slice(4).map((u) => u.objectSid).sort());

    // Removing members that are gone already (and a SID no object has) is not an error.
    const again = await applyUpsert(env, upsertMessage(groupId, 3, { remove: [...remove, bad] }));
    expect(again.memberErrors).toEqual([]);
    expect(again.outcome).toBe('applied');
  });

  it('nests a written-back group by its anchor, and refuses a domain-local group with AD\'s text', async () => {
    const parentId = newGroupId();
    const childId = newGroupId();
    const child = await applyUpsert(fx.env(), upsertMessage(childId, 1));
    const localId = newGroupId();
    const local = await createGroup(fx.admin, fx.writebackOu, `dl${uniqueSuffix()}`, {
      scope: 'domainLocal',
      security: true,
      adminDescription: `Group_${localId}`,
    });
    const syncedLocal = await createGroup(fx.admin, fx.otherOu, `dl${uniqueSuffix()}`, { scope: 'domainLocal', security: true });
    const [person] = await users(1);
    const syncedLocalRef = sidRef(syncedLocal.objectSid);
    const result = await applyUpsert(
      fx.env(),
      upsertMessage(parentId, 1, {
        add: [groupRef(childId), groupRef(localId), syncedLocalRef, sidRef(person!.objectSid)],
      }),
    );
    expect(result.outcome).toBe('partial');
    expect(result.memberErrors.map((e) => e.member).sort()).toEqual([localId, syncedLocalRef.cloudId].sort());
    for (const error of result.memberErrors) {
      expect(error.code).toBe('ERROR_DS_UNIVERSAL_CANT_HAVE_LOCAL_MEMBER');
      expect(error.message).toBe('A universal group cannot have a local group as a member.');
    }
    const members = await readMembers(fx.directory, result.ad!.dn);
    expect(members.map((m) => m.guid).sort()).toEqual([child.ad!.objectGUID, person!.objectGUID].sort());
    expect(members.some((m) => m.guid === local.objectGUID)).toBe(false);
  });

  it('checks the nesting rules only for refs that may be groups: a ref the planner marks as a user is not looked up', async () => {
    const asGroup = await createGroup(fx.admin, fx.otherOu, `dl${uniqueSuffix()}`, { scope: 'domainLocal', security: true });
    // A wrong hint shows the lookup was skipped: Samba itself does not enforce the rule.
    const asUser = await createGroup(fx.admin, fx.otherOu, `dl${uniqueSuffix()}`, { scope: 'domainLocal', security: true });
    const groupHinted: MemberRef = { kind: 'sid', cloudId: randomUUID(), sid: asGroup.objectSid, objectType: 'group' };
    const userHinted: MemberRef = { kind: 'sid', cloudId: randomUUID(), sid: asUser.objectSid, objectType: 'user' };
    const result = await applyUpsert(fx.env(), upsertMessage(newGroupId(), 1, { add: [groupHinted, userHinted] }));
    expect(result.memberErrors.map((e) => [e.member, e.code])).toEqual([[groupHinted.cloudId, 'ERROR_DS_UNIVERSAL_CANT_HAVE_LOCAL_MEMBER']]);
    expect((await readMembers(fx.directory, result.ad!.dn)).map((m) => m.guid)).toEqual([asUser.objectGUID]);
  });

  it('reports a nested group that is not written back yet, and writes the rest', async () => {
    const groupId = newGroupId();
    const [person] = await users(1);
    const missing = newGroupId();
    const result = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { add: [groupRef(missing), sidRef(person!.objectSid)] }));
    expect(result.outcome).toBe('partial');
    expect(result.memberErrors).toEqual([expect.objectContaining({ member: missing, code: 'MemberNotFound' })]);
    expect(await memberSids(result.ad!.dn)).toEqual([person!.objectSid]);
  });

  it('refuses to create when the writeback OU does not exist', async () => {
    const groupId = newGroupId();
    const env = fx.env({ ctx: { ...fx.ctx, writebackOu: `OU=Missing,${fx.ouDn}` } });
    const error = await applyUpsert(env, upsertMessage(groupId, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).code).toBe('WritebackOuMissing');
  });

  it('recreates a group deleted by hand (new identity)', async () => {
    const groupId = newGroupId();
    const first = await applyUpsert(fx.env(), upsertMessage(groupId, 1));
    await fx.admin.del(first.ad!.dn);
    const again = await applyUpsert(fx.env(), upsertMessage(groupId, 2));
    expect(again.outcome).toBe('applied');
    expect(again.ad?.dn).toBe(first.ad?.dn);
    expect(again.ad?.objectGUID).not.toBe(first.ad?.objectGUID);
  });
});

describe('snapshot', () => {
  it('makes the members equal to the union of all parts, removing drift added by hand', async () => {
    const groupId = newGroupId();
    const people = await users(6);
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { add: people.slice(0, 3).map((u) => sidRef(u.objectSid)) }));
    await addMembers(fx.admin, created.ad!.dn, [people[5]!.dn]); // drift: added by hand
    const wanted = [people[0]!, people[2]!, people[3]!, people[4]!];
    const parts = snapshotMessages(groupId, 2, wanted.map((u) => sidRef(u.objectSid)), { parts: 2 });
    const { results } = await applySnapshot(fx.env({ memberChunkSize: 2, memberReadPageSize: 2 }), parts, true);
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied']);
    expect(results.map((r) => r.membersAdded)).toEqual([0, 2]);
    expect(results.map((r) => r.membersRemoved)).toEqual([0, 2]);
    expect(await memberSids(created.ad!.dn)).toEqual(wanted.map((u) => u.objectSid).sort());
  });

  it('adds in whole modifies across parts: the rest of a part waits for the next part, the last rest for the end', async () => {
    const groupId = newGroupId();
    const people = await users(9);
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1));
    // Counts the member modifies the snapshot makes (every other call passes through).
    const modifies: number[] = [];
    const directory = withModify((modify, dn, change, rest) => {
      for (const c of Array.isArray(change) ? change : [change]) if (c.modification.type === 'member') modifies.push(c.modification.values.length);
      return modify(dn, change, ...rest);
    });
    const parts = snapshotMessages(groupId, 2, people.map((u) => sidRef(u.objectSid)), { parts: 3 });
    expect(parts.map((p) => p.members.length)).toEqual([3, 3, 3]);
    const { results } = await applySnapshot(fx.env({ directory, memberChunkSize: 2 }), parts, true);
    // 9 members in chunks of 2: five modifies, not two per part (six).
    expect(modifies).toEqual([2, 2, 2, 2, 1]);
    expect(results.map((r) => r.membersAdded)).toEqual([3, 3, 3]);
    expect(await memberSids(created.ad!.dn)).toEqual(people.map((u) => u.objectSid).sort());
  });

  it('sends every request of a big group\'s snapshot in the bulk lane, finding and creating the group too; none of a one-part snapshot\'s', async () => {
    const people = await users(4);
    // sidRef leaves objectType unset, so each part also makes a nesting check (a search).
    const refs = people.map((u) => sidRef(u.objectSid));
    // Records the lane of every request (each passes through to the real connection).
    const lanes: boolean[] = [];
    const directory = Object.create(fx.directory) as typeof fx.directory;
    directory.use = (fn, opts) => {
      lanes.push(opts?.bulk === true);
      return fx.directory.use(fn, opts);
    };
    const big = newGroupId();
    const { results } = await applySnapshot(fx.env({ directory, memberChunkSize: 2 }), snapshotMessages(big, 1, refs, { parts: 2 }), true);
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied']);
    // Find (nothing), create, find again, read members, two nesting checks, two modifies.
    expect(lanes.length).toBeGreaterThanOrEqual(8);
    // Its own lookups outside the lane would make its first modify wait the lane's grace after them.
    expect(lanes.every((bulk) => bulk)).toBe(true);

    lanes.length = 0;
    const small = newGroupId();
    const one = await applySnapshot(fx.env({ directory, memberChunkSize: 2 }), snapshotMessages(small, 1, refs, { parts: 1 }), true);
    expect(one.results.map((r) => r.outcome)).toEqual(['applied']);
    expect(lanes.length).toBeGreaterThanOrEqual(6);
    expect(lanes.some((bulk) => bulk)).toBe(false);
  });

  it('leaves a part\'s modifies running while the next part is taken; a transient failure of theirs fails the next part, whose retry writes them', async () => {
    const groupId = newGroupId();
    const people = await users(6);
    await applyUpsert(fx.env(), upsertMessage(groupId, 1));
    // Member modifies wait for `release` (the DC still working on them); the first one then fails as a lost connection would.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let failFirst = true;
    const directory = withModify(async (modify, dn, change, rest) => {
      if (Array.isArray(change) || change.modification.type !== 'member') return modify(dn, change, ...rest);
      await released;
      if (failFirst) {
        failFirst = false;
        throw new DirectoryUnavailableError([{ url: fx.directory.dcUrl, error: 'ECONNRESET' }], false);
      }
      return modify(dn, change, ...rest);
    });
    const [p1, p2] = snapshotMessages(groupId, 2, people.map((u) => sidRef(u.objectSid, u.objectSid)), { parts: 2 });
    const stream = await SnapshotStream.begin(fx.env({ directory, memberChunkSize: 2 }), p1!);
    // Returns with its modifies still waiting on the "DC".
    const first = stream.apply(p1!).then(() => 'returned');
    expect(await Promise.race([first, new Promise((r) => setTimeout(() => r('still writing'), 2_000))])).toBe('returned');
    let secondDone = false;
    const second = stream.apply(p2!).then(
      () => (secondDone = true),
      (error: unknown) => error,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(secondDone).toBe(false);
    release();
    expect(await second).toBeInstanceOf(DirectoryUnavailableError);
    // The retry in place (as the session does) writes part 1's failed chunk too.
    await stream.apply(p2!);
    const byPart = await stream.finish(true, []);
    expect([1, 2].map((p) => byPart.get(p)!.membersAdded)).toEqual([3, 3]);
    expect(await memberSids(`CN=${headerFor(groupId).cn},${fx.writebackOu}`)).toEqual(people.map((u) => u.objectSid).sort());
  });

  it('reads big member lists page by page (range retrieval)', async () => {
    const groupId = newGroupId();
    const people = await users(7);
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { add: people.map((u) => sidRef(u.objectSid)) }));
    const members = await readMembers(fx.directory, created.ad!.dn, 3);
    expect(members.map((m) => m.sid).sort()).toEqual(people.map((u) => u.objectSid).sort());
  });

  it('an empty snapshot removes every member and keeps the group', async () => {
    const groupId = newGroupId();
    const people = await users(3);
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { add: people.map((u) => sidRef(u.objectSid)) }));
    const { results } = await applySnapshot(fx.env(), snapshotMessages(groupId, 2, []), true);
    expect(results[0]!.membersRemoved).toBe(3);
    expect(await memberSids(created.ad!.dn)).toEqual([]);
    expect((await readObject(fx.admin, created.ad!.dn)).objectGUID).toBe(created.ad!.objectGUID);
  });

  it('an incomplete snapshot adds but removes nothing', async () => {
    const groupId = newGroupId();
    const people = await users(3);
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { add: [sidRef(people[0]!.objectSid)] }));
    const [part1] = snapshotMessages(groupId, 2, [sidRef(people[1]!.objectSid), sidRef(people[2]!.objectSid)], { parts: 2 });
    const { results } = await applySnapshot(fx.env(), [part1!], false);
    expect(results[0]!.outcome).toBe('partial');
    expect(results[0]!.error?.code).toBe('SnapshotIncomplete');
    expect(await memberSids(created.ad!.dn)).toEqual([people[0]!.objectSid, people[1]!.objectSid].sort());
  });

  it('recreates a group deleted by hand, with its members', async () => {
    const groupId = newGroupId();
    const [person] = await users(1);
    const first = await applyUpsert(fx.env(), upsertMessage(groupId, 1));
    await fx.admin.del(first.ad!.dn);
    const { results } = await applySnapshot(fx.env(), snapshotMessages(groupId, 2, [sidRef(person!.objectSid)]), true);
    expect(results[0]!.outcome).toBe('applied');
    expect(results[0]!.ad?.objectGUID).not.toBe(first.ad?.objectGUID);
    expect(await memberSids(results[0]!.ad!.dn)).toEqual([person!.objectSid]);
  });
});

describe('delete', () => {
  it('deletes the group found by anchor; a second delete finds nothing and is done', async () => {
    const groupId = newGroupId();
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1));
    const result = await applyDelete(fx.env(), deleteMessage(groupId, 2));
    expect(result.outcome).toBe('applied');
    expect(result.ad?.objectGUID).toBe(created.ad?.objectGUID);
    await expect(readObject(fx.admin, created.ad!.dn)).rejects.toThrow();
    const again = await applyDelete(fx.env(), deleteMessage(groupId, 3));
    expect(again).toMatchObject({ outcome: 'applied', ad: null });
  });

  it('never deletes by name: a same-named group without the anchor stays', async () => {
    const groupId = newGroupId();
    const header = headerFor(groupId);
    const lookalike = await createGroup(fx.admin, fx.writebackOu, header.samAccountName, { scope: 'universal', security: true, cn: header.cn });
    const result = await applyDelete(fx.env(), deleteMessage(groupId, 1));
    expect(result).toMatchObject({ outcome: 'applied', ad: null });
    expect((await readObject(fx.admin, lookalike.dn)).objectGUID).toBe(lookalike.objectGUID);
  });

  it('refuses a group carrying the anchor outside the writeback OU, and an anchor that is not the group\'s', async () => {
    const groupId = newGroupId();
    const header = headerFor(groupId);
    const outside = await createGroup(fx.admin, fx.otherOu, header.samAccountName, {
      scope: 'universal',
      security: true,
      adminDescription: header.anchor,
    });
    const error = await applyDelete(fx.env(), deleteMessage(groupId, 1)).catch((e: unknown) => e);
    expect((error as RefusedError).code).toBe('OutsideWritebackOu');
    expect((await readObject(fx.admin, outside.dn)).objectGUID).toBe(outside.objectGUID);

    const otherId = newGroupId();
    const victim = await applyUpsert(fx.env(), upsertMessage(otherId, 1));
    const mismatch = await applyDelete(fx.env(), deleteMessage(groupId, 2, `Group_${otherId}`)).catch((e: unknown) => e);
    expect((mismatch as RefusedError).code).toBe('AnchorMismatch');
    expect((await readObject(fx.admin, victim.ad!.dn)).objectGUID).toBe(victim.ad!.objectGUID);
  });

  it('removes big groups\' members in chunks first', async () => {
    const groupId = newGroupId();
    const people = await users(5);
    const created = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { add: people.map((u) => sidRef(u.objectSid)) }));
    const done = await applyDelete(fx.env({ memberChunkSize: 2 }), deleteMessage(groupId, 2));
    expect(done).toMatchObject({ outcome: 'applied', membersRemoved: 5 });
    await expect(readObject(fx.admin, created.ad!.dn)).rejects.toThrow();
  });
});

describe('staging mode', () => {
  it('computes and reports, writes nothing', async () => {
    const groupId = newGroupId();
    const people = await users(2);
    const staged = fx.env({ staging: true });
    const create = await applyUpsert(staged, upsertMessage(groupId, 1, { add: people.map((u) => sidRef(u.objectSid)) }));
    expect(create).toMatchObject({ outcome: 'skipped', ad: null, membersAdded: 2 });
    const { searchEntries } = await fx.admin.search(fx.ouDn, { scope: 'sub', filter: `(adminDescription=Group_${groupId})`, attributes: ['1.1'] });
    expect(searchEntries).toHaveLength(0);

    const real = await applyUpsert(fx.env(), upsertMessage(groupId, 2, { add: [sidRef(people[0]!.objectSid)] }));
    const rename = headerFor(groupId, { cn: `Staged rename_${groupId.slice(-12)}` });
    const snap = await applySnapshot(staged, snapshotMessages(groupId, 3, [sidRef(people[1]!.objectSid)], { header: rename }), true);
    expect(snap.results[0]).toMatchObject({ outcome: 'skipped', membersAdded: 1, membersRemoved: 1 });
    const del = await applyDelete(staged, deleteMessage(groupId, 4));
    expect(del.outcome).toBe('skipped');
    const ad = await readObject(fx.admin, real.ad!.dn);
    expect(ad.objectGUID).toBe(real.ad!.objectGUID);
    expect(await memberSids(ad.dn)).toEqual([people[0]!.objectSid]);
  });
});
