// The member entries of a planned group (cloud id -> reference sent to AD, or the reason nothing was sent),
// stored apart from the group's row: a 250,000-member group is far beyond one entity. Entries are spread
// over up to 256 rows by the first two hex digits of the member id, each row a compact text list
// (./member-entry-rows.ts), so a delta that touches a few members reads and writes a few rows. A complete
// replacement is written row by row as its entries are read, against the stored rows: read a sixteenth at a
// time for a big group (a 1,000,000-member group's rows are never all in memory as text), in one request for
// a group known to be small (most groups: one table request per group and round instead of seventeen).
import type { MemberEntry } from '../domain/members.js';
import type { MemberEntryChanges, MemberEntryList } from '../domain/planned-state.js';
import { SortedIdsBuilder, type SortedIds } from '../domain/sorted-ids.js';
import { mapLimit } from '../concurrency.js';
import { memberPartition } from './keys.js';
import { TABLES } from './tables.js';
import { MAX_BATCH_OPERATIONS, PARTITION_KEY, ROW_KEY, where, type BatchOperation, type TableStore } from '../ports/table-store.js';
import { textOf, textProperties } from './text-chunks.js';
import { bucketOf, decodeRow, encodeRow, isNestedCloudGroup, nestedIdsIn, rowsInBucketOrder, writtenIdsIn } from './member-entry-rows.js';

/** Nested cloud groups whose entry changed: their written-back state decides the entry, so the nesting
 *  index (child -> parents) follows them. */
export interface NestedGroupChanges {
  added: string[];
  removed: string[];
}

function nestedDiff(before: ReadonlySet<string>, after: ReadonlySet<string>): NestedGroupChanges {
  return { added: [...after].filter((id) => !before.has(id)), removed: [...before].filter((id) => !after.has(id)) };
}

/** Text per transaction: 1.5 M UTF-16 characters is 3 MB, under the 4 MiB a transaction may carry. */
const BATCH_TEXT_CHARS = 1_500_000;
const BATCH_CONCURRENCY = 2;
/** A big group's stored rows are read by the first character of their bucket: a sixteenth at a time. */
const ROW_RANGES = [...'0123456789abcdefz'];
/** Up to this many stored entries (~85 characters each: ~1.7 MB of text) the rows are read in one request. */
export const ONE_READ_MAX_ENTRIES = 20_000;

/** Puts rows into entity group transactions as they come, a few transactions in flight; an empty row is
 *  deleted. Not atomic across transactions: each row is whole, and a retry rewrites what is left. */
class RowWriter {
  private ops: BatchOperation[] = [];
  private chars = 0;
  private readonly inFlight: Promise<void>[] = [];
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly tables: TableStore,
    private readonly pk: string,
  ) {}

  private get table() {
    return this.tables.table(TABLES.plannedMembers);
  }

  private async flush(): Promise<void> {
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    this.chars = 0;
    if (this.inFlight.length === BATCH_CONCURRENCY) await this.inFlight.shift();
    this.inFlight.push(
      this.table.batch(this.pk, ops).then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= { error };
        },
      ),
    );
  }

  async write(bucket: string, text: string, entries: number): Promise<void> {
    if (entries === 0) {
      // A transaction fails whole on a missing row; delete() does not.
      await this.table.delete(this.pk, bucket);
      return;
    }
    if (this.ops.length === MAX_BATCH_OPERATIONS || (this.ops.length > 0 && this.chars + text.length > BATCH_TEXT_CHARS)) await this.flush();
    this.ops.push({ kind: 'upsert', rowKey: bucket, properties: { entries, ...textProperties(`members ${this.pk}/${bucket}`, text) }, mode: 'replace' });
    this.chars += text.length;
  }

  async finish(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight);
    if (this.failure !== null) throw this.failure.error;
  }
}

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

  /** The stored rows' text in bucket order: all at once when `storedEntries` (at most how many entries the
   *  rows hold) is small, else a range of rows at a time. */
  private async *storedRows(pk: string, storedEntries: number): AsyncGenerator<{ bucket: string; text: string }> {
    if (storedEntries <= ONE_READ_MAX_ENTRIES) {
      // listPartition gives row key order, the buckets' order.
      for (const e of await this.table.listPartition(pk)) yield { bucket: e.rowKey, text: textOf(e) };
      return;
    }
    for (const first of ROW_RANGES) {
      const rows = await this.table.query(where.and(where.eq(PARTITION_KEY, pk), where.startsWith(ROW_KEY, first)));
      for (const e of rows) yield { bucket: e.rowKey, text: textOf(e) };
    }
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
   *  rows' text without decoding the entries (the deletion guard compares a big group's snapshot with them).
   *  `storedEntries`: at most how many entries the rows hold (storedEntriesOf the previous plan, plus what an
   *  attempt that stopped before saving its plan may have left). */
  async writtenIds(tenantId: string, groupId: string, storedEntries: number): Promise<SortedIds> {
    const ids = new SortedIdsBuilder();
    for await (const { text } of this.storedRows(memberPartition(tenantId, groupId), storedEntries)) for (const id of writtenIdsIn(text)) ids.add(id);
    return ids.build();
  }

  /** Applies the changes; returns how the group's nested cloud-group members changed (nesting index).
   *  `previousEntries`: the entries the previous plan recorded (storedEntriesOf; 0 without one). */
  async apply(tenantId: string, groupId: string, changes: MemberEntryChanges, previousEntries = 0): Promise<NestedGroupChanges> {
    const pk = memberPartition(tenantId, groupId);
    if (changes.kind === 'patch') return this.patch(pk, changes.upsert, changes.remove);
    // Each stored row is the previous plan's or, after an attempt that stopped before saving its plan, that
    // attempt's: this same replacement's. So the two sizes together bound what is stored.
    return this.replace(pk, changes.entries, previousEntries + changes.entries.size);
  }

  /** The new rows and the stored ones, both in bucket order, walked together: a row is written when its text
   *  differs, a stored row without entries now is deleted. */
  private async replace(pk: string, entries: MemberEntryList, storedEntries: number): Promise<NestedGroupChanges> {
    const before = new Set<string>();
    const after = new Set<string>();
    const writer = new RowWriter(this.tables, pk);
    const stored = this.storedRows(pk, storedEntries);
    let s = await stored.next();
    const passStored = async (): Promise<string> => {
      const { text } = s.value!;
      for (const id of nestedIdsIn(text)) before.add(id);
      s = await stored.next();
      return text;
    };
    for (const row of rowsInBucketOrder(() => entries.inIdOrder())) {
      while (!s.done && s.value.bucket < row.bucket) {
        await writer.write(s.value.bucket, '', 0);
        await passStored();
      }
      const storedText = !s.done && s.value.bucket === row.bucket ? await passStored() : null;
      for (const e of row.entries) if (isNestedCloudGroup(e)) after.add(e.cloudId);
      const text = encodeRow(row.entries);
      if (text !== storedText) await writer.write(row.bucket, text, row.entries.length);
    }
    while (!s.done) {
      await writer.write(s.value.bucket, '', 0);
      await passStored();
    }
    await writer.finish();
    return nestedDiff(before, after);
  }

  private async patch(pk: string, upsert: readonly MemberEntry[], remove: readonly string[]): Promise<NestedGroupChanges> {
    const before = new Set<string>();
    const after = new Set<string>();
    const byBucket = new Map<string, { upsert: MemberEntry[]; remove: string[] }>();
    const at = (id: string) => {
      const b = bucketOf(id);
      let c = byBucket.get(b);
      if (c === undefined) byBucket.set(b, (c = { upsert: [], remove: [] }));
      return c;
    };
    for (const id of remove) at(id).remove.push(id);
    for (const e of upsert) at(e.cloudId).upsert.push(e);
    const rows: { bucket: string; entries: Map<string, MemberEntry> }[] = [];
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
      rows.push({ bucket: b, entries });
    });
    const writer = new RowWriter(this.tables, pk);
    for (const { bucket, entries } of rows) await writer.write(bucket, encodeRow(entries.values()), entries.size);
    await writer.finish();
    return nestedDiff(before, after);
  }
}
