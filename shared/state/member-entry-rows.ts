// The text of member entry rows (./member-entries.ts): one line per entry, rows named by the first two hex
// digits of the member id (256 buckets, `zz` for ids that do not start with hex), lines sorted.
import { normaliseId } from '../domain/ids.js';
import { MEMBER_SKIP_REASONS, type MemberEntry, type MemberSkipReason } from '../domain/members.js';
import { groupAnchor } from '../domain/naming.js';

/** A member that is a cloud group (written back or not); groups synced from AD are referenced by SID and never flip. */
export function isNestedCloudGroup(e: MemberEntry): boolean {
  return e.ref?.kind === 'group' || e.skip === 'cloudOnlyGroupNotWrittenBack';
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
      if (!(MEMBER_SKIP_REASONS as readonly string[]).includes(value ?? '')) break;
      return { cloudId, ref: null, skip: value as MemberSkipReason };
  }
  throw new Error(`bad member entry: ${JSON.stringify(line)}`);
}

export function decodeRow(text: string): Map<string, MemberEntry> {
  const out = new Map<string, MemberEntry>();
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const e = decodeEntry(line);
    out.set(e.cloudId, e);
  }
  return out;
}

/** The nested cloud groups (isNestedCloudGroup) of a stored row, read from its text without decoding the rest. */
export function nestedIdsIn(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    if (line.includes(' g') || line.endsWith(' x cloudOnlyGroupNotWrittenBack')) {
      const e = decodeEntry(line);
      if (isNestedCloudGroup(e)) ids.push(e.cloudId);
    }
  }
  return ids;
}

/** The cloud ids of a stored row's entries that reference a member in AD (not the skipped ones). */
export function* writtenIdsIn(text: string): Generator<string> {
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0 && line[space + 1] !== 'x') yield line.slice(0, space);
  }
}

/** A row's text from its entries (distinct ids, any order). */
export function encodeRow(entries: Iterable<MemberEntry>): string {
  return Array.from(entries, encodeEntry).sort().join('\n');
}

/**
 * The rows of a complete entry list, in ascending bucket order, from its entries in id order (a big group's
 * are made one by one: only a row's entries are held). Ids that start with their bucket's name are
 * consecutive in id order; the others (ids not in lower case, ids in `zz` that do not start with it) are
 * gathered first, in a pass of their own, and joined to their row.
 */
export function* rowsInBucketOrder(inIdOrder: () => Iterable<MemberEntry>): Generator<{ bucket: string; entries: MemberEntry[] }> {
  const apart = new Map<string, MemberEntry[]>();
  for (const e of inIdOrder()) {
    const b = bucketOf(e.cloudId);
    if (e.cloudId.startsWith(b)) continue;
    const list = apart.get(b);
    if (list === undefined) apart.set(b, [e]);
    else list.push(e);
  }
  const apartBuckets = [...apart.keys()].sort();
  let next = 0;
  /** The rows made of gathered entries alone, before `bucket`; then `bucket`'s row. */
  function* upTo(bucket: string | null, entries: MemberEntry[]): Generator<{ bucket: string; entries: MemberEntry[] }> {
    while (next < apartBuckets.length && (bucket === null || apartBuckets[next]! < bucket)) {
      const b = apartBuckets[next++]!;
      yield { bucket: b, entries: apart.get(b)! };
    }
    if (bucket === null) return;
    if (apartBuckets[next] === bucket) entries.push(...apart.get(apartBuckets[next++]!)!);
    yield { bucket, entries };
  }
  let bucket: string | null = null;
  let run: MemberEntry[] = [];
  for (const e of inIdOrder()) {
    const b = bucketOf(e.cloudId);
    if (!e.cloudId.startsWith(b)) continue;
    if (b === bucket) {
      run.push(e);
      continue;
    }
    if (bucket !== null && b < bucket) throw new Error('member entries are not in id order');
    if (bucket !== null) yield* upTo(bucket, run);
    bucket = b;
    run = [e];
  }
  if (bucket !== null) yield* upTo(bucket, run);
  yield* upTo(null, []);
}
