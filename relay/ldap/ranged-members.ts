// Reads a group's complete `member` attribute. AD returns at most MaxValRange (1,500) values per read, so
// big groups are read with range retrieval (`member;range=0-*`, then from the next index on) until the
// DC answers with a range ending in `*`. Values come with the extended-DN control, so each member carries
// its GUID and SID and can be compared without names.
import type { Entry } from 'ldapts';
import { parseExtendedDn, type CurrentMember } from '../members/member-identity.js';
import type { Directory } from './directory.js';
import { extendedDnControl } from './controls.js';
import { textValues } from './entry.js';

const RANGE_KEY = /^member;range=(\d+)-(\d+|\*)$/i;

/** The ranged `member` attribute in an entry: its values and where the next read starts (null: done). */
export function rangedValues(entry: Entry): { values: string[]; next: number | null } {
  for (const key of Object.keys(entry)) {
    const match = RANGE_KEY.exec(key);
    if (!match) continue;
    const values = textValues(entry, key);
    return { values, next: match[2] === '*' ? null : Number(match[2]) + 1 };
  }
  // A server that does not do ranges (or an empty group) answers with plain `member` or nothing.
  return { values: textValues(entry, 'member'), next: null };
}

export async function readMembers(directory: Directory, groupDn: string): Promise<CurrentMember[]> {
  const members: CurrentMember[] = [];
  let from: number | null = 0;
  while (from !== null) {
    const start: number = from;
    const { searchEntries } = await directory.use(
      (c) => c.search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: [`member;range=${start}-*`] }, extendedDnControl()),
      { retry: true },
    );
    const entry = searchEntries[0];
    if (!entry) break;
    const page = rangedValues(entry);
    members.push(...page.values.map(parseExtendedDn));
    // Guard against a server repeating the same range forever.
    from = page.next !== null && page.next > start ? page.next : null;
  }
  return members;
}
