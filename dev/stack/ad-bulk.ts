// Creating many on-prem users quickly (the demo's 5,000-member group, benchmarks): a few adds in flight
// at once over one LDAPS connection, then one paged search for their SIDs.
import { Attribute, type Client } from 'ldapts';
import { escapeDnValue, parseDn } from '../../relay/ldap/escape.js';
import { sidToString } from '../../relay/ldap/sid.js';
import { bufferValue, textValue } from '../../relay/ldap/entry.js';

export interface BulkUser {
  sam: string;
  sid: string;
  dn: string;
}

const IN_FLIGHT = 8;

function upnSuffix(ouDn: string): string {
  return parseDn(ouDn)
    .filter((r) => r.type.toUpperCase() === 'DC')
    .map((r) => r.value)
    .join('.');
}

/** Creates disabled users CN=<sam> in the OU (existing ones are kept) and returns them in `sams` order. */
export async function createUsers(ad: Client, ouDn: string, sams: readonly string[], progress?: (done: number) => void): Promise<BulkUser[]> {
  const suffix = upnSuffix(ouDn);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < sams.length) {
      const sam = sams[next++]!;
      try {
        await ad.add(`CN=${escapeDnValue(sam)},${ouDn}`, [
          new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
          new Attribute({ type: 'sAMAccountName', values: [sam] }),
          new Attribute({ type: 'userPrincipalName', values: [`${sam}@${suffix}`] }),
          new Attribute({ type: 'userAccountControl', values: ['514'] }),
        ]);
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 68)) throw error; // 68: exists
      }
      progress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const { searchEntries } = await ad.search(ouDn, {
    scope: 'one',
    filter: '(objectClass=user)',
    attributes: ['sAMAccountName', 'objectSid'],
    explicitBufferAttributes: ['objectSid'],
    paged: { pageSize: 1000 },
  });
  const bySam = new Map<string, BulkUser>();
  for (const e of searchEntries) {
    const sam = textValue(e, 'sAMAccountName');
    const sid = bufferValue(e, 'objectSid');
    if (sam && sid) bySam.set(sam.toLowerCase(), { sam, sid: sidToString(sid), dn: e.dn });
  }
  return sams.map((s) => {
    const u = bySam.get(s.toLowerCase());
    if (!u) throw new Error(`user ${s} was not created`);
    return u;
  });
}
