// Reads back what the relay wrote: every group under the writeback OU with its members, keyed by the cloud
// group id its anchor (adminDescription) carries, so a benchmark can check AD equals the cloud.
import { escapeFilter, type Client } from 'ldapts';
import { groupAnchor } from '../shared/domain/naming.js';

/** Group id (lower case) -> member DNs (lower case). Without `members`, only which groups exist (empty sets):
 *  Samba answers member values slowly (a minute per 100,000 on a busy DC). */
export async function readWrittenGroups(ad: Client, writebackOu: string, groupIds: readonly string[], members = true): Promise<Map<string, Set<string>>> {
  const byAnchor = new Map(groupIds.map((id) => [groupAnchor(id).toLowerCase(), id.toLowerCase()]));
  const { searchEntries } = await ad.search(writebackOu, {
    scope: 'sub',
    filter: '(objectClass=group)',
    attributes: members ? ['adminDescription', 'member'] : ['adminDescription'],
    paged: { pageSize: 500 },
  });
  const out = new Map<string, Set<string>>();
  for (const e of searchEntries) {
    const id = byAnchor.get(String(e['adminDescription']).toLowerCase());
    if (id === undefined) continue;
    const member = e['member'];
    const values = Array.isArray(member) ? member : member === undefined ? [] : [member];
    out.set(id, new Set(values.map((m) => String(m).toLowerCase())));
  }
  return out;
}

/** Members of the given groups only (one search per group, by anchor). */
export async function readGroupMembers(ad: Client, writebackOu: string, groupIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const id of groupIds) {
    const { searchEntries } = await ad.search(writebackOu, {
      scope: 'sub',
      filter: escapeFilter`(&(objectClass=group)(adminDescription=${groupAnchor(id)}))`,
      attributes: ['member'],
    });
    const e = searchEntries[0];
    if (!e) continue;
    const member = e['member'];
    const values = Array.isArray(member) ? member : member === undefined ? [] : [member];
    out.set(id.toLowerCase(), new Set(values.map((m) => String(m).toLowerCase())));
  }
  return out;
}

/** Groups whose AD members differ from `expected` (group id -> member DNs), at most `limit` described. */
export function differences(actual: ReadonlyMap<string, ReadonlySet<string>>, expected: ReadonlyMap<string, ReadonlySet<string>>, limit = 5): { count: number; examples: string[] } {
  const examples: string[] = [];
  let count = 0;
  for (const [id, want] of expected) {
    const got = actual.get(id.toLowerCase());
    const same = got !== undefined && got.size === want.size && [...want].every((m) => got.has(m.toLowerCase()));
    if (same) continue;
    count += 1;
    if (examples.length < limit) examples.push(got === undefined ? `${id}: not in AD` : `${id}: ${got.size} members in AD, ${want.size} in the cloud`);
  }
  return { count, examples };
}
