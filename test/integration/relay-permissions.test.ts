// The relay's least-privilege account against the real Samba AD DC: with exactly the delegation docs/relay.md
// lists on the writeback OU, AD itself refuses every write elsewhere (and every non-group object in the OU);
// a group carrying its anchor in an OU without that delegation is neither moved nor changed, and the relay's
// own apply never deletes outside its writeback OU, even where AD would let it.
import { Attribute, Change, InsufficientAccessError, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelete } from '../../relay/apply/apply-delete.js';
import { applyUpsert } from '../../relay/apply/apply-upsert.js';
import { connectLdap } from '../../relay/ldap/connect.js';
import { RefusedError } from '../../relay/ldap/errors.js';
import { createGroup, createUser, readObject, uniqueSuffix } from '../support/ad.js';
import { deleteMessage, headerFor, newGroupId, relayFixture, upsertMessage, type RelayFixture } from '../support/relay-fixture.js';

let fx: RelayFixture;
let relay: Client;

beforeAll(async () => {
  fx = await relayFixture('relay-permissions');
  relay = await connectLdap({ url: fx.dc.url, tlsServerName: fx.dc.tlsServerName, caPem: fx.dc.caPem, bindDn: fx.account.bindDn, password: fx.account.password });
});

afterAll(async () => {
  await relay?.unbind();
  await fx?.close();
});

function groupAttributes(sam: string): Record<string, string | string[]> {
  return { objectClass: ['top', 'group'], sAMAccountName: sam, groupType: String(-2147483640) };
}

const describeAs = (text: string) => new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: [text] }) });

async function newOu(name: string): Promise<string> {
  const dn = `OU=${name} ${uniqueSuffix()},${fx.ouDn}`;
  await fx.admin.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  return dn;
}

/** The description and applied watermark of a group, read as the admin. */
async function written(dn: string): Promise<Record<string, unknown>> {
  const { searchEntries } = await fx.admin.search(dn, { scope: 'base', attributes: ['description', 'msDS-AzApplicationData'] });
  const { dn: _dn, ...rest } = searchEntries[0]!;
  return rest;
}

describe('the relay account in AD', () => {
  it('creates, changes, renames and deletes groups in the writeback OU', async () => {
    const sam = `perm${uniqueSuffix()}`;
    const dn = `CN=${sam},${fx.writebackOu}`;
    await relay.add(dn, groupAttributes(sam));
    await relay.modify(dn, describeAs('changed by the relay account'));
    await relay.modifyDN(dn, `CN=${sam} renamed,${fx.writebackOu}`);
    await relay.del(`CN=${sam} renamed,${fx.writebackOu}`);
  });

  it('is refused by AD everywhere else, and for anything but groups in the OU', async () => {
    const user = await createUser(fx.admin, fx.otherOu, `pu${uniqueSuffix()}`);
    const group = await createGroup(fx.admin, fx.otherOu, `pg${uniqueSuffix()}`, { scope: 'universal', security: true });
    const inOu = await createGroup(fx.admin, fx.writebackOu, `pw${uniqueSuffix()}`, { scope: 'universal', security: true });
    const sam = `perm${uniqueSuffix()}`;
    const refusals: [string, Promise<unknown>][] = [
      ['create a group in another OU', relay.add(`CN=${sam},${fx.otherOu}`, groupAttributes(sam))],
      ['change a user', relay.modify(user.dn, describeAs('not the relay\'s'))],
      ['change a group in another OU', relay.modify(group.dn, describeAs('not the relay\'s'))],
      ['delete a group in another OU', relay.del(group.dn)],
      ['move a group out of the OU', relay.modifyDN(inOu.dn, `CN=${sam} out,${fx.otherOu}`)],
      ['create an OU in the OU', relay.add(`OU=Sub ${sam},${fx.writebackOu}`, { objectClass: ['top', 'organizationalUnit'] })],
      ['create a user in the OU', relay.add(`CN=u${sam},${fx.writebackOu}`, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: `u${sam}` })],
      ['change the OU itself', relay.modify(fx.writebackOu, describeAs('not the relay\'s'))],
    ];
    for (const [what, attempt] of refusals) {
      const error = await attempt.then(() => null, (e: unknown) => e);
      expect(error, what).toBeInstanceOf(InsufficientAccessError);
    }
    expect((await readObject(fx.admin, group.dn)).objectGUID).toBe(group.objectGUID);
    expect((await readObject(fx.admin, inOu.dn)).objectGUID).toBe(inOu.objectGUID);
  });
});

describe('the relay\'s apply with that account', () => {
  async function stray(ouDn: string, groupId: string) {
    const header = headerFor(groupId);
    const group = await createGroup(fx.admin, ouDn, header.samAccountName, { scope: 'universal', security: true, cn: header.cn, adminDescription: header.anchor });
    return { header, group };
  }

  it('a group with its anchor in an OU without the delegation: the move is refused (InsufficientAccessRights, naming where), nothing is written', async () => {
    const groupId = newGroupId();
    const { header, group } = await stray(fx.otherOu, groupId);
    const before = await written(group.dn);
    const error = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { header })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).code).toBe('InsufficientAccessRights');
    expect((error as RefusedError).message).toContain(
      `moving ${group.dn} into the writeback OU: the relay's account lacks rights on ${fx.otherOu} (where the group is) or ${fx.writebackOu}`,
    );
    expect((await readObject(fx.admin, group.dn)).objectGUID).toBe(group.objectGUID);
    expect(await written(group.dn)).toEqual(before);
  });

  it('never deletes outside the writeback OU, even where AD would let it; it moves such a group in instead', async () => {
    const delegated = await newOu('Delegated elsewhere');
    await fx.delegate(delegated);
    const groupId = newGroupId();
    const { header, group } = await stray(delegated, groupId);
    // AD would allow it: the account may delete groups there.
    const probe = await createGroup(fx.admin, delegated, `pd${uniqueSuffix()}`, { scope: 'universal', security: true });
    await relay.del(probe.dn);

    const refused = await applyDelete(fx.env(), deleteMessage(groupId, 1)).catch((e: unknown) => e);
    expect((refused as RefusedError).code).toBe('OutsideWritebackOu');
    expect((await readObject(fx.admin, group.dn)).objectGUID).toBe(group.objectGUID);

    const moved = await applyUpsert(fx.env(), upsertMessage(groupId, 2, { header }));
    expect(moved.ad).toEqual({ dn: `CN=${header.cn},${fx.writebackOu}`, objectGUID: group.objectGUID, objectSid: group.objectSid });
    const deleted = await applyDelete(fx.env(), deleteMessage(groupId, 3));
    expect(deleted.outcome).toBe('applied');
  });
});
