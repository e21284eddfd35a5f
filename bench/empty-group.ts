// Deletes a big bench group in steps: its members first, 5,000 values a modify, then the empty group. Samba
// deletes a group in one transaction that rewrites every member's record too, and for a 250,000-member group
// that transaction's recovery data no longer fits TDB's 4 GiB file limit (the delete fails with an I/O error
// and the group stays); one modify per 5,000 members keeps each transaction small.
import { Attribute, Change, type Client } from 'ldapts';

const VALUES_PER_MODIFY = 5000;

/** Every member DN, by ranged reads (AD hands out 1,500 values a read). */
async function memberDns(admin: Client, groupDn: string): Promise<string[]> {
  const dns: string[] = [];
  for (;;) {
    const { searchEntries } = await admin.search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: [`member;range=${dns.length}-*`] });
    const entry = searchEntries[0];
    if (!entry) throw new Error(`group ${groupDn} not found`);
    const key = Object.keys(entry).find((k) => k.toLowerCase().startsWith('member;range='));
    if (!key) return dns;
    const values = entry[key];
    // Not spread into push(): one read may hold every value (Samba answered 250,000 at once).
    for (const v of Array.isArray(values) ? values : [values]) dns.push(String(v));
    if (key.endsWith('-*')) return dns;
  }
}

export async function deleteBigGroup(admin: Client, groupDn: string): Promise<{ members: number; ms: number }> {
  const t0 = Date.now();
  const members = await memberDns(admin, groupDn);
  for (let i = 0; i < members.length; i += VALUES_PER_MODIFY) {
    const values = members.slice(i, i + VALUES_PER_MODIFY);
    await admin.modify(groupDn, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values }) }));
  }
  await admin.del(groupDn);
  return { members: members.length, ms: Date.now() - t0 };
}
