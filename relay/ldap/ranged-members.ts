// Reads a group's complete `member` attribute. AD returns at most MaxValRange (1,500) values per read, so
// big groups are read with range retrieval (`member;range=0-1499`, then from the next index on) until
// the DC answers with a range ending in `*`. Values come with the extended-DN control, so each member carries
// its GUID and SID and can be compared without names.
import type { Entry } from 'ldapts';
import { parseExtendedDn, type CurrentMember } from '../apply/member-identity.js';
import type { DirectoryRequests } from './directory.js';
import { extendedDnControl } from './controls.js';
import { textValues } from './entry.js';

const RANGE_KEY = /^member;range=(\d+)-(\d+|\*)$/i;

/**
 * The ranged `member` attribute in an entry: its values and where the next read starts (null: done).
 * ldapts also lists the requested range as an empty attribute, so the answered range is the one with
 * values; one ending in `*` is the last.
 */
export function rangedValues(entry: Entry): { values: string[]; next: number | null } {
  const answered: { values: string[]; high: string }[] = [];
  for (const key of Object.keys(entry)) {
    const match = RANGE_KEY.exec(key);
    if (!match) continue;
    const values = textValues(entry, key);
    if (values.length > 0) answered.push({ values, high: match[2]! });
  }
  const page = answered.find((a) => a.high === '*') ?? answered[0];
  // No ranged values: past the end, an empty group, or a server that answers with plain `member`.
  if (!page) return { values: textValues(entry, 'member'), next: null };
  return { values: page.values, next: page.high === '*' ? null : Number(page.high) + 1 };
}

/** AD's default MaxValRange: the most values one read returns. */
export const MAX_VAL_RANGE = 1500;

/** The members page by page (each page parsed, none kept): big groups are walked without a list of them all. */
export async function* memberPages(directory: DirectoryRequests, groupDn: string, pageSize = MAX_VAL_RANGE): AsyncGenerator<CurrentMember[]> {
  let from: number | null = 0;
  while (from !== null) {
    const start: number = from;
    const attribute = `member;range=${start}-${start + pageSize - 1}`;
    const { searchEntries } = await directory.use(
      (c) => c.search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: [attribute] }, extendedDnControl()),
      { retry: true },
    );
    const entry = searchEntries[0];
    if (!entry) break;
    const page = rangedValues(entry);
    yield page.values.map(parseExtendedDn);
    // Guard against a server repeating the same range forever.
    from = page.next !== null && page.next > start ? page.next : null;
  }
}

/** The whole member list (for groups the relay empties or tests look at, not for snapshots). */
export async function readMembers(directory: DirectoryRequests, groupDn: string, pageSize = MAX_VAL_RANGE): Promise<CurrentMember[]> {
  const members: CurrentMember[] = [];
  for await (const page of memberPages(directory, groupDn, pageSize)) members.push(...page);
  return members;
}
