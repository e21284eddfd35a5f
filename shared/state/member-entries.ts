// The member entries of a planned group (cloud id -> reference sent to AD, or the reason nothing was sent),
// stored apart from the group's row: a 250,000-member group is far beyond one entity. Entries are spread
// over up to 256 rows by the first two hex digits of the member id, each row a compact text list, so a
// delta that touches a few members reads and writes a few rows.
import { normaliseId } from '../domain/ids.js';
import type { MemberEntry, MemberSkipReason } from '../domain/members.js';
import { groupAnchor } from '../domain/naming.js';
import type { MemberEntryChanges } from '../domain/planned-state.js';
import { mapLimit } from '../concurrency.js';
import { memberPartition } from './keys.js';
import { TABLES } from './tables.js';
import { MAX_BATCH_OPERATIONS, type BatchOperation, type TableStore } from '../ports/table-store.js';
import { textOf, textProperties } from './text-chunks.js';

const SKIP_REASONS: readonly MemberSkipReason[] = [
  'cloudOnlyUser',
  'cloudOnlyGroupNotWrittenBack',
  'deviceWritebackDisabled',
  'deviceWithoutDeviceId',
  'unsupportedMemberType',
  'invalidSecurityIdentifier',
  'memberNotFound',
];

/** Nested cloud groups whose entry changed: their written-back state decides the entry, so the nesting
 *  index (child -> parents) follows them. */
export interface NestedGroupChanges {
  added: string[];
  removed: string[];
}

/** A member that is a cloud group (written back or not); groups synced from AD are referenced by SID and never flip. */
export function isNestedCloudGroup(e: MemberEntry): boolean {
  return e.ref?.kind === 'group' || e.skip === 'cloudOnlyGroupNotWrittenBack';
}

function nestedDiff(before: ReadonlySet<string>, after: ReadonlySet<string>): NestedGroupChanges {
  return { added: [...after].filter((id) => !before.has(id)), removed: [...before].filter((id) => !after.has(id)) };
}

export function bucketOf(cloudId: string): string {
  const b = normaliseId(cloudId).slice(0, 2);
  return /^[0-9a-f]{2}$/.test(b) ? b : 'zz';
}

/** One line per entry: `<id> s <sid>` | `<id> g` | `<id> d <deviceId>` | `<id> x <reason>`. */
export function encodeEntry(e: MemberEntry): string {
  if (e.ref === null) return `${e.cloudId} x ${e.skip}`;
  switch (e.ref.kind) {
    case 'sid':
      return `${e.cloudId} s ${e.ref.sid}`;
    case 'group':
      return `${e.cloudId} g`;
    case 'device':
      return `${e.cloudId} d ${e.ref.deviceId}`;
  }
}

export function decodeEntry(line: string): MemberEntry {
  const [cloudId, kind, value] = line.split(' ');
  if (!cloudId) throw new Error(`bad member entry: ${JSON.stringify(line)}`);
  switch (kind) {
    case 's':
      if (!value) break;
      return { cloudId, ref: { kind: 'sid', cloudId, sid: value }, skip: null };
    case 'g':
      return { cloudId, ref: { kind: 'group', cloudId, anchor: groupAnchor(cloudId) }, skip: null };
    case 'd':
      if (!value) break;
      return { cloudId, ref: { kind: 'device', cloudId, deviceId: value }, skip: null };
    case 'x':
      if (!(SKIP_REASONS as readonly string[]).includes(value ?? '')) break;
      return { cloudId, ref: null, skip: value as MemberSkipReason };
  }
  throw new Error(`bad member entry: ${JSON.stringify(line)}`);
}

function decodeRow(text: string): Map<string, MemberEntry> {
  const out = new Map<string, MemberEntry>();
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const e = decodeEntry(line);
    out.set(e.cloudId, e);
  }
  return out;
}

/** The nested cloud groups (isNestedCloudGroup) of a stored row, read from its text without decoding the rest. */
function nestedIdsIn(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    if (line.includes(' g') || line.endsWith(' x cloudOnlyGroupNotWrittenBack')) {
      const e = decodeEntry(line);
      if (isNestedCloudGroup(e)) ids.push(e.cloudId);
    }
  }
  return ids;
}

function encodeRow(entries: Map<string, MemberEntry>): string {
  return [...entries.values()].map(encodeEntry).sort().join('\n');
}

/** A row to write: its text and entry count (0: the row is deleted). Text only, so the rows of a big group
 *  waiting for their transactions hold no decoded entries. */
interface RowText {
  bucket: string;
  text: string;
  entries: number;
}

const rowText = (bucket: string, entries: Map<string, MemberEntry>): RowText => ({ bucket, text: encodeRow(entries), entries: entries.size });

/** Text per transaction: 1.5 M UTF-16 characters is 3 MB, under the 4 MiB a transaction may carry. */
const BATCH_TEXT_CHARS = 1_500_000;
const BATCH_CONCURRENCY = 4;

export class MemberEntryRepository {
  constructor(
    private readonly tables: TableStore,
    private readonly concurrency = 16,
  ) {}

  private get table() {
    return this.tables.table(TABLES.plannedMembers);
  }

  private async readBucket(pk: string, bucket: string): Promise<Map<string, MemberEntry>> {
    const e = await this.table.get(pk, bucket);
    return e === null ? new Map() : decodeRow(textOf(e));
  }

  /** Writes rows (an empty one is deleted) in entity group transactions: the rows of a group share its
   *  partition, so a new 100-member group costs one request instead of one per row. Not atomic across
   *  transactions, as the rows were not before: each row is whole, and a retry rewrites what is left. */
  private async writeRows(pk: string, rows: readonly RowText[]): Promise<void> {
    const batches: BatchOperation[][] = [];
    let current: BatchOperation[] = [];
    let chars = 0;
    for (const { bucket, text, entries } of rows) {
      if (entries === 0) {
        // A transaction fails whole on a missing row; delete() does not.
        await this.table.delete(pk, bucket);
        continue;
      }
      if (current.length === MAX_BATCH_OPERATIONS || (current.length > 0 && chars + text.length > BATCH_TEXT_CHARS)) {
        batches.push(current);
        current = [];
        chars = 0;
      }
      const properties = { entries, ...textProperties(`members ${pk}/${bucket}`, text) };
      current.push({ kind: 'upsert', rowKey: bucket, properties, mode: 'replace' });
      chars += text.length;
    }
    if (current.length > 0) batches.push(current);
    await mapLimit(batches, BATCH_CONCURRENCY, (ops) => this.table.batch(pk, ops));
  }

  /** All entries of a group, or only those of `ids` (reading only their rows). */
  async load(tenantId: string, groupId: string, ids?: Iterable<string>): Promise<Map<string, MemberEntry>> {
    const pk = memberPartition(tenantId, groupId);
    const out = new Map<string, MemberEntry>();
    if (ids === undefined) {
      for (const e of await this.table.listPartition(pk)) for (const [id, entry] of decodeRow(textOf(e))) out.set(id, entry);
      return out;
    }
    const wanted = new Set(ids);
    const buckets = [...new Set([...wanted].map(bucketOf))];
    await mapLimit(buckets, this.concurrency, async (b) => {
      for (const [id, entry] of await this.readBucket(pk, b)) if (wanted.has(id)) out.set(id, entry);
    });
    return out;
  }

  /** The cloud ids of the members the group's entries reference in AD (not the skipped ones), read from the
   *  rows' text without decoding the entries (the deletion guard compares a big group's snapshot with them). */
  async writtenIds(tenantId: string, groupId: string): Promise<Set<string>> {
    const out = new Set<string>();
    for (const e of await this.table.listPartition(memberPartition(tenantId, groupId))) {
      for (const line of textOf(e).split('\n')) {
        const space = line.indexOf(' ');
        if (space > 0 && line[space + 1] !== 'x') out.add(line.slice(0, space));
      }
    }
    return out;
  }

  /** Applies the changes; returns how the group's nested cloud-group members changed (nesting index). */
  async apply(tenantId: string, groupId: string, changes: MemberEntryChanges): Promise<NestedGroupChanges> {
    const pk = memberPartition(tenantId, groupId);
    const before = new Set<string>();
    const after = new Set<string>();
    if (changes.kind === 'replace') {
      // Row by row: a big group's entries are never held decoded twice (the stored rows stay text).
      const next = new Map<string, MemberEntry[]>();
      for (const e of changes.entries) {
        const b = bucketOf(e.cloudId);
        let list = next.get(b);
        if (list === undefined) next.set(b, (list = []));
        list.push(e);
        if (isNestedCloudGroup(e)) after.add(e.cloudId);
      }
      const stored = new Map((await this.table.listPartition(pk)).map((e) => [e.rowKey, textOf(e)]));
      for (const text of stored.values()) for (const id of nestedIdsIn(text)) before.add(id);
      const rows: RowText[] = [];
      for (const [b, list] of next) {
        const row = rowText(b, new Map(list.map((e) => [e.cloudId, e])));
        if (stored.get(b) !== row.text) rows.push(row);
      }
      await this.writeRows(pk, rows);
      await mapLimit([...stored.keys()].filter((b) => !next.has(b)), this.concurrency, (b) => this.table.delete(pk, b));
      return nestedDiff(before, after);
    }
    const byBucket = new Map<string, { upsert: MemberEntry[]; remove: string[] }>();
    const at = (id: string) => {
      const b = bucketOf(id);
      let c = byBucket.get(b);
      if (c === undefined) byBucket.set(b, (c = { upsert: [], remove: [] }));
      return c;
    };
    for (const id of changes.remove) at(id).remove.push(id);
    for (const e of changes.upsert) at(e.cloudId).upsert.push(e);
    const rows: RowText[] = [];
    await mapLimit([...byBucket], this.concurrency, async ([b, c]) => {
      const entries = await this.readBucket(pk, b);
      for (const id of [...c.remove, ...c.upsert.map((e) => e.cloudId)]) {
        const old = entries.get(id);
        if (old !== undefined && isNestedCloudGroup(old)) before.add(id);
      }
      for (const id of c.remove) entries.delete(id);
      for (const e of c.upsert) {
        entries.set(e.cloudId, e);
        if (isNestedCloudGroup(e)) after.add(e.cloudId);
      }
      rows.push(rowText(b, entries));
    });
    await this.writeRows(pk, rows);
    return nestedDiff(before, after);
  }
}
