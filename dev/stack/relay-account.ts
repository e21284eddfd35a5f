// The relay's own AD account in the local test domain, with exactly the rights docs/relay.md asks an admin to
// grant ("Permissions in Active Directory"): a user created once per DC, its random password kept in the DC's
// directory (mode 0600) so every process of the machine binds with the same one, and a delegation on each
// writeback OU a stack, test or benchmark uses. So the relay never binds as the domain admin locally either.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { z } from 'zod';
import { createUser, findBySam, unicodePwd } from './ad-objects.js';
import { withFileLock } from './file-lock.js';
import type { SambaDc } from './samba.js';
import { ACE_FLAGS, DS_RIGHTS, grantAces, type ObjectAce } from './security-descriptor.js';

export const RELAY_ACCOUNT_NAME = 'svc-gwb-relay';
/** schemaIDGUID of the group class: the same in every AD forest, and in Samba's schema. */
export const GROUP_CLASS_GUID = 'bf967a9c-0de6-11d0-a285-00aa003049e2';

export interface RelayAccount {
  bindDn: string;
  password: string;
  objectSid: string;
}

const keptSchema = z.object({ password: z.string().min(1) });

async function keptPassword(file: string): Promise<string | undefined> {
  try {
    return keptSchema.parse(JSON.parse(await readFile(file, 'utf8'))).password;
  } catch {
    return undefined; // missing or torn: a new password is set
  }
}

/** The relay's account in this DC, created (or given a new password, when its file is gone) on first use. */
export function ensureRelayAccount(admin: Client, dc: Pick<SambaDc, 'dir' | 'baseDn'>): Promise<RelayAccount> {
  const file = path.join(dc.dir, 'relay-account.json');
  return withFileLock(
    path.join(dc.dir, 'relay-account.lock'),
    async () => {
      const existing = await findBySam(admin, dc.baseDn, RELAY_ACCOUNT_NAME);
      const kept = await keptPassword(file);
      if (existing && kept !== undefined) return { bindDn: existing.dn, password: kept, objectSid: existing.objectSid };
      const password = `Wb-${randomBytes(18).toString('base64url')}-7r`;
      let account = existing;
      if (account) {
        await admin.modify(account.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }) }));
      } else {
        account = await createUser(admin, `CN=Users,${dc.baseDn}`, RELAY_ACCOUNT_NAME, { password });
      }
      await writeFile(file, JSON.stringify({ password }), { mode: 0o600 });
      return { bindDn: account.dn, password, objectSid: account.objectSid };
    },
    { timeoutMs: 60_000 },
  );
}

/** The writeback OU's delegation, as docs/relay.md gives it for dsacls: create and delete group objects on the
 *  OU and its sub-OUs (`/I:T CCDC;group`), read and write every property of the groups below it (`/I:S RPWP;;group`). */
export function writebackOuAces(sid: string): ObjectAce[] {
  return [
    { sid, mask: DS_RIGHTS.createChild | DS_RIGHTS.deleteChild, flags: ACE_FLAGS.containerInherit, objectType: GROUP_CLASS_GUID },
    {
      sid,
      mask: DS_RIGHTS.readProperty | DS_RIGHTS.writeProperty,
      flags: ACE_FLAGS.containerInherit | ACE_FLAGS.inheritOnly,
      inheritedObjectType: GROUP_CLASS_GUID,
    },
  ];
}

/** Grants the relay's account the writeback OU's delegation on `ouDn` (idempotent). */
export async function delegateWritebackOu(admin: Client, ouDn: string, account: Pick<RelayAccount, 'objectSid'>): Promise<void> {
  await grantAces(admin, ouDn, writebackOuAces(account.objectSid));
}
