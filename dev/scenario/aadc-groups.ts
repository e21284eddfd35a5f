// Groups Azure AD Connect group writeback wrote earlier (scenario `ad.writtenByAadc`, docs/scenarios.md): made
// before step 1 in an OU of the run's own, as AD Connect would have left them, so a scenario can show the
// product adopting them in place (docs/migration.md).
import { addMembers, createGroup } from '../stack/ad-objects.js';
import { delegateWritebackOu, ensureRelayAccount } from '../stack/relay-account.js';
import { readWritebackOu } from '../stack/ad-dump.js';
import { groupAnchor } from '../../shared/domain/naming.js';
import type { LocalStack } from '../stack/local-stack.js';
import type { Dump } from './dump.js';
import type { AadcGroup } from './schema.js';

/**
 * Creates `OU=AADC` in the run's OU holding the groups: universal, security or distribution, anchored with
 * `adminDescription = Group_<objectId>`, members from the on-prem objects by sAMAccountName. The relay's
 * account gets the writeback delegation there too: moving a group out of an OU needs rights in it, as an
 * admin grants them for the migration.
 */
export async function createAadcGroups(stack: LocalStack, groups: readonly AadcGroup[], dnOfSam: (sam: string) => string): Promise<Dump> {
  const ou = `OU=AADC,${stack.runOu}`;
  await stack.ad.add(ou, { objectClass: ['top', 'organizationalUnit'] });
  await delegateWritebackOu(stack.ad, ou, await ensureRelayAccount(stack.ad, stack.dc));
  for (const g of groups) {
    const o = await createGroup(stack.ad, ou, g.sam, { scope: 'universal', security: g.type === 'security', cn: g.cn, adminDescription: groupAnchor(g.groupId) });
    const members = (g.members ?? []).map(dnOfSam);
    if (members.length > 0) await addMembers(stack.ad, o.dn, members);
  }
  return { ou, groups: await readWritebackOu(stack.ad, ou, [stack.runOu]), status: [] };
}
