// The planner's state repositories on the TableStore port, against the in-memory store and Azurite: big
// groups' member entries across rows, long text across properties, the round journal, the nesting index,
// settings defaults and validation. Tests isolate by a random tenant id (partition key).
import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AzureTableStore } from '../../shared/adapters/tables/index.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import type { MemberEntry } from '../../shared/domain/members.js';
import { memberEntryList, type PlannedGroup } from '../../shared/domain/planned-state.js';
import type { TableStore } from '../../shared/ports/table-store.js';
import { bucketOf, decodeEntry, encodeEntry } from '../../shared/state/member-entry-rows.js';
import { ONE_READ_MAX_ENTRIES } from '../../shared/state/member-entries.js';
import { createPlannerStore, type PlannerStore } from '../../shared/state/planner-store.js';
import { MAX_TEXT_CHARS, TextTooLargeError } from '../../shared/state/text-chunks.js';
import { getAzurite } from '../support/azurite.js';

const gid = (n: number, prefix = 'c') => `${prefix.padEnd(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const randomMember = () => randomUUID();

function sidEntry(id: string, rid: number): MemberEntry {
  return { cloudId: id, ref: { kind: 'sid', cloudId: id, sid: `S-1-5-21-1-2-3-${rid}` }, skip: null };
}

/** The store with every call the repositories make through the port named in `calls`. */
function countingTables(tables: TableStore, calls: string[]): TableStore {
  return {
    ensureTable: (name) => tables.ensureTable(name),
    deleteTable: (name) => tables.deleteTable(name),
    listTables: () => tables.listTables(),
    table(name) {
      const t = tables.table(name);
      return {
        name: t.name,
        get: (pk, rk) => (calls.push('get'), t.get(pk, rk)),
        listPartition: (pk) => (calls.push('listPartition'), t.listPartition(pk)),
        query: (f, o) => (calls.push('query'), t.query(f, o)),
        insertIfAbsent: (e) => (calls.push('insertIfAbsent'), t.insertIfAbsent(e)),
        update: (e, etag, mode) => (calls.push('update'), t.update(e, etag, mode)),
        upsert: (e, mode) => (calls.push('upsert'), t.upsert(e, mode)),
        delete: (pk, rk, etag) => (calls.push('delete'), t.delete(pk, rk, etag)),
        batch: (pk, ops) => (calls.push(`batch:${ops.length}`), t.batch(pk, ops)),
      };
    },
  };
}

const isWrite = (call: string): boolean => !['get', 'listPartition', 'query'].includes(call);

const planned = (groupId: string, over: Partial<PlannedGroup> = {}): PlannedGroup => ({
  groupId,
  seq: 3,
  lifecycle: 'present',
  cloud: {
    id: groupId,
    displayName: 'Sales 🙂',
    description: null,
    groupTypes: ['Unified'],
    mailEnabled: true,
    securityEnabled: false,
    mail: 'sales@contoso.com',
    mailNickname: 'sales',
    proxyAddresses: ['SMTP:sales@contoso.com'],
    onPremisesSyncEnabled: null,
    writebackConfiguration: { isEnabled: null, onPremisesGroupType: null },
  },
  decision: { write: true, adGroupType: 'universalDistributionGroup' },
  written: true,
  header: {
    anchor: `Group_${groupId}`,
    cn: `Group_${groupId}`,
    samAccountName: 'Group_000000000000c1',
    displayName: 'Sales 🙂',
    description: null,
    adGroupType: 'universalDistributionGroup',
    groupType: 8,
    mail: null,
  },
  memberCount: 2,
  skipped: { counts: { cloudOnlyUser: 1 }, sample: [{ member: gid(9), reason: 'cloudOnlyUser' }] },
  ...over,
});

function defineStateTests(makeStore: () => Promise<TableStore>): void {
  let tables: TableStore;
  let store: PlannerStore;
  let tenant: string;

  beforeAll(async () => {
    tables = await makeStore();
  });
  beforeEach(() => {
    tenant = randomUUID();
    store = createPlannerStore(tables);
  });

  it('keeps planned groups (validated JSON) and lists a tenant', async () => {
    const g = planned(gid(1));
    await store.groups.save(tenant, g);
    await store.groups.save(tenant, planned(gid(2), { written: false, header: null, decision: { write: false, reason: 'writebackDisabled' } }));
    expect(await store.groups.load(tenant, gid(1))).toEqual(g);
    expect(await store.groups.load(tenant, gid(3))).toBeNull();
    expect((await store.groups.list(tenant)).map((x) => x.groupId)).toEqual([gid(1), gid(2)]);
    expect([...(await store.groups.loadMany(tenant, [gid(1), gid(3)])).keys()]).toEqual([gid(1)]);
  });

  it('stores 60,000 member entries over rows, reads all or only some, patches and replaces', async () => {
    const G = gid(7);
    const entries: MemberEntry[] = [];
    for (let i = 0; i < 60_000; i++) entries.push(sidEntry(randomMember(), 100000 + i));
    entries.push({ cloudId: gid(5, 'ab'), ref: null, skip: 'cloudOnlyUser' });
    entries.push({ cloudId: gid(6, 'ab'), ref: { kind: 'group', cloudId: gid(6, 'ab'), anchor: `Group_${gid(6, 'ab')}` }, skip: null });
    await store.members.apply(tenant, G, { kind: 'replace', entries: memberEntryList(entries) });
    const all = await store.members.load(tenant, G);
    expect(all.size).toBe(entries.length);
    expect(all.get(entries[123]!.cloudId)).toEqual(entries[123]);
    const some = await store.members.load(tenant, G, [entries[5]!.cloudId, gid(5, 'ab'), randomMember()]);
    expect([...some.keys()].sort()).toEqual([entries[5]!.cloudId, gid(5, 'ab')].sort());

    await store.members.apply(tenant, G, { kind: 'patch', upsert: [sidEntry(gid(8, 'ab'), 1)], remove: [entries[5]!.cloudId] });
    const patched = await store.members.load(tenant, G, [gid(8, 'ab'), entries[5]!.cloudId]);
    expect([...patched.keys()]).toEqual([gid(8, 'ab')]);

    await store.members.apply(tenant, G, { kind: 'replace', entries: memberEntryList(entries.slice(0, 10)) });
    expect((await store.members.load(tenant, G)).size).toBe(10);
    await store.members.apply(tenant, G, { kind: 'replace', entries: memberEntryList([]) });
    expect((await store.members.load(tenant, G)).size).toBe(0);
  });

  it('writes a group\'s member rows in transactions: one request for a new 100-member group, not one per row', async () => {
    const calls: string[] = [];
    const counting = countingTables(tables, calls);
    const members = createPlannerStore(counting).members;
    const G = gid(11);
    const entries = Array.from({ length: 100 }, (_, i) => sidEntry(randomMember(), 200000 + i));
    await members.apply(tenant, G, { kind: 'replace', entries: memberEntryList(entries) });
    const rows = new Set(entries.map((e) => bucketOf(e.cloudId))).size;
    expect(calls.filter(isWrite)).toEqual([`batch:${rows}`]);
    expect((await store.members.load(tenant, G)).size).toBe(100);

    // A patch touching three rows: read each, one transaction for the three; a row left empty is deleted alone.
    calls.length = 0;
    const lone = entries.find((e) => entries.filter((x) => bucketOf(x.cloudId) === bucketOf(e.cloudId)).length === 1);
    const patch = [sidEntry(gid(12, 'ab'), 1), sidEntry(gid(13, 'cd'), 2), sidEntry(gid(14, 'ef'), 3)];
    await members.apply(tenant, G, { kind: 'patch', upsert: patch, remove: lone ? [lone.cloudId] : [] });
    const touched = new Set(patch.map((e) => bucketOf(e.cloudId)));
    expect(calls.filter((c) => c.startsWith('batch:'))).toEqual([`batch:${touched.size}`]);
    expect(calls.filter((c) => c === 'delete').length).toBe(lone && !touched.has(bucketOf(lone.cloudId)) ? 1 : 0);
    expect((await store.members.load(tenant, G)).size).toBe(100 + 3 - (lone ? 1 : 0));
  });

  it('reads a small group\'s stored rows in one request, a big group\'s a range of rows at a time', async () => {
    const calls: string[] = [];
    const members = createPlannerStore(countingTables(tables, calls)).members;
    const G = gid(21);
    const entries = Array.from({ length: 300 }, (_, i) => sidEntry(randomMember(), 300000 + i));
    // A new group (no previous plan): its stored rows (none) in one read.
    await members.apply(tenant, G, { kind: 'replace', entries: memberEntryList(entries) });
    expect(calls.filter((c) => !isWrite(c))).toEqual(['listPartition']);

    // Replanned from a previous plan of 300 entries: one read, and the rows it no longer needs are deleted.
    calls.length = 0;
    await members.apply(tenant, G, { kind: 'replace', entries: memberEntryList(entries.slice(0, 50)) }, 300);
    expect(calls.filter((c) => !isWrite(c))).toEqual(['listPartition']);
    expect((await store.members.load(tenant, G)).size).toBe(50);
    expect((await members.writtenIds(tenant, G, 50)).size).toBe(50);

    // A previous plan past ONE_READ_MAX_ENTRIES: the rows are read a sixteenth at a time, with the same result.
    calls.length = 0;
    await members.apply(tenant, G, { kind: 'replace', entries: memberEntryList(entries.slice(0, 20)) }, ONE_READ_MAX_ENTRIES + 1);
    expect(calls.filter((c) => !isWrite(c))).toEqual(Array.from({ length: 17 }, () => 'query'));
    expect((await store.members.load(tenant, G)).size).toBe(20);
    calls.length = 0;
    expect((await members.writtenIds(tenant, G, ONE_READ_MAX_ENTRIES + 1)).size).toBe(20);
    expect(calls).toEqual(Array.from({ length: 17 }, () => 'query'));
  });

  it('reports nested cloud groups added and removed, and keeps the child -> parents index', async () => {
    const parent = gid(1, 'p');
    const child = gid(2, 'ab');
    const other = gid(3, 'ab');
    const first = await store.members.apply(tenant, parent, {
      kind: 'replace',
      entries: memberEntryList([{ cloudId: child, ref: null, skip: 'cloudOnlyGroupNotWrittenBack' }, sidEntry(gid(4), 4)]),
    });
    expect(first).toEqual({ added: [child], removed: [] });
    await store.nesting.record(tenant, parent, first);
    expect(await store.nesting.parentsOf(tenant, child)).toEqual([parent]);

    const flip = await store.members.apply(tenant, parent, {
      kind: 'patch',
      upsert: [{ cloudId: child, ref: { kind: 'group', cloudId: child, anchor: `Group_${child}` }, skip: null }, { cloudId: other, ref: null, skip: 'cloudOnlyGroupNotWrittenBack' }],
      remove: [],
    });
    expect(flip).toEqual({ added: [other], removed: [] });
    const gone = await store.members.apply(tenant, parent, { kind: 'patch', upsert: [], remove: [child] });
    expect(gone).toEqual({ added: [], removed: [child] });
    await store.nesting.record(tenant, parent, gone);
    expect(await store.nesting.parentsOf(tenant, child)).toEqual([]);
  });

  it('round journal: records, keeps the highest seq per group, clears', async () => {
    await store.journal.record(tenant, [{ groupId: gid(1), lastSeq: 4 }, { groupId: gid(2), lastSeq: 9 }]);
    await store.journal.record(tenant, [{ groupId: gid(1), lastSeq: 6 }]);
    expect([...(await store.journal.read(tenant))].sort()).toEqual([[gid(1), 6], [gid(2), 9]]);
    await store.journal.clear(tenant);
    expect((await store.journal.read(tenant)).size).toBe(0);
  });

  it('delta tokens longer than one property, and settings with defaults and validation', async () => {
    const link = `https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=${'x'.repeat(70_000)}`;
    await store.tokens.save(tenant, { deltaLink: link, settingsFingerprint: 'fp', savedAt: '2024-01-01T00:00:00Z' });
    expect(await store.tokens.load(tenant)).toEqual({ deltaLink: link, settingsFingerprint: 'fp', savedAt: '2024-01-01T00:00:00Z' });
    await store.tokens.clear(tenant);
    expect(await store.tokens.load(tenant)).toBeNull();

    expect(await store.settings.load(tenant)).toMatchObject({ groupWritebackV2: true, cnFormat: 'objectId', newUnifiedGroupWritebackDefault: null });
    await store.settings.update(tenant, { cnFormat: 'displayName' });
    expect(await store.settings.update(tenant, { groupWritebackV2: false })).toMatchObject({ cnFormat: 'displayName', groupWritebackV2: false });
    await expect(store.settings.update(tenant, { cnFormat: 'nope' } as never)).rejects.toThrow();
  });
}

describe('planner state on the in-memory table store', () => {
  defineStateTests(async () => new MemoryTableStore());
});

describe('planner state on Azurite', () => {
  defineStateTests(async () => {
    const azurite = await getAzurite();
    return new AzureTableStore({ connectionString: azurite.connectionString });
  });
});

describe('member entry encoding and text chunks', () => {
  it('round-trips every kind of entry; buckets by the first two hex digits', () => {
    const id = gid(1, 'ab');
    const samples: MemberEntry[] = [
      sidEntry(id, 7),
      { cloudId: id, ref: { kind: 'group', cloudId: id, anchor: `Group_${id}` }, skip: null },
      { cloudId: id, ref: { kind: 'device', cloudId: id, deviceId: gid(2, 'dd') }, skip: null },
      { cloudId: id, ref: null, skip: 'deviceWritebackDisabled' },
    ];
    for (const e of samples) expect(decodeEntry(encodeEntry(e))).toEqual(e);
    expect(() => decodeEntry(`${id} x notAReason`)).toThrow();
    expect(bucketOf(id)).toBe('ab');
  });

  it('refuses text beyond one entity', async () => {
    const s = createPlannerStore(new MemoryTableStore());
    await expect(s.tokens.save('t', { deltaLink: 'x'.repeat(MAX_TEXT_CHARS + 1), settingsFingerprint: '', savedAt: '' })).rejects.toThrow(TextTooLargeError);
  });
});
