// The main job end-to-end on the embedded local stack (README quick start): seeds a tenant, writes it back
// into a real Samba AD DC through the whole designed path, applies live changes, checks AD after each one
// and prints what AD holds. Exit 0 only when every check held.
import { randomUUID } from 'node:crypto';
import { createLogger } from '../shared/logging.js';
import { parseCommandLine } from './command-line.js';
import { createUsers } from './stack/ad-bulk.js';
import { readWritebackOu } from './stack/ad-dump.js';
import { startLocalStack, type LocalStack } from './stack/local-stack.js';
import type { DumpGroup } from './scenario/dump.js';

const USAGE = `usage: npm run demo   (or bash scripts/demo.sh, which installs what is missing first)
Runs the main job end-to-end on the local stack (Samba AD DC, Azurite, embedded queue, Graph simulator,
local Functions host, relay), checks AD after each change and prints what AD holds. No options;
LOG_LEVEL (default warn) sets the log level. Exit 0 when every check held.`;

const BIG_GROUP_MEMBERS = 5_000;
const log = createLogger('demo', process.env['LOG_LEVEL'] ?? 'warn');
const say = (text: string): void => console.log(text);
const failures: string[] = [];

function check(ok: boolean, what: string): void {
  say(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  say(`- ${label} (${((performance.now() - started) / 1000).toFixed(2)} s)`);
  return result;
}

async function groups(stack: LocalStack): Promise<Map<string, DumpGroup>> {
  const all = await readWritebackOu(stack.ad, stack.writebackOu, [stack.runOu]);
  return new Map(all.map((g) => [g.adminDescription ?? g.cn, g]));
}

const anchor = (id: string): string => `Group_${id}`;

/** Cleaning up after the checks decides nothing about them: a failure here is reported, not a failed demo. */
async function stopStack(stack: LocalStack): Promise<void> {
  try {
    await stack.stop();
  } catch (error) {
    console.warn(`warning: cleaning up the local stack failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(): Promise<void> {
  say('group writeback demo: Graph simulator -> webhook -> planner -> queue -> relay -> Samba AD DC');
  const stack = await timed('local stack up', () => startLocalStack({ name: 'demo', log }));
  try {
    say(`  Samba AD DC   ${stack.dc.url} (TLS name ${stack.dc.tlsServerName}, CA ${stack.dc.caFile}, pid ${stack.dc.pid})`);
    say(`  writeback OU  ${stack.writebackOu}`);
    say(`  Graph sim     ${stack.sim.baseUrl} (tenant ${stack.tenantId})`);
    say(`  Functions     ${stack.host.url}/api (local host), Azurite tables, embedded queue, relay in-process`);

    const sams = Array.from({ length: BIG_GROUP_MEMBERS }, (_, i) => `demo${String(i + 1).padStart(5, '0')}`);
    const adUsers = await timed(`${sams.length} on-prem users created in AD`, () =>
      createUsers(stack.ad, stack.onPremOu, sams, (n) => {
        if (n % 1000 === 0) say(`  ... ${n} users`);
      }),
    );
    await stack.setSettings({ cnFormat: 'displayName' });

    const c = stack.sim.control;
    const synced = adUsers.map((u) => {
      const id = randomUUID();
      c.createUser({ id, displayName: u.sam, synced: { securityIdentifier: u.sid, samAccountName: u.sam, domainName: stack.dc.netbiosDomain, distinguishedName: u.dn } });
      return id;
    });
    const cloudOnly = [randomUUID(), randomUUID(), randomUUID()];
    cloudOnly.forEach((id, i) => c.createUser({ id, displayName: `Cloud only ${i + 1}` }));
    const [u1, u2, u3, u4] = synced as [string, string, string, string];

    const ids = {
      sales: randomUUID(), finance: randomUUID(), legal: randomUUID(),
      appAccess: randomUUID(), printers: randomUUID(), notEnabled: randomUUID(), allStaff: randomUUID(),
    };
    c.createGroup({ id: ids.sales, kind: 'm365', displayName: 'Sales', mailNickname: 'sales', description: 'Sales team', members: [u1, u2, cloudOnly[0]!] });
    c.createGroup({ id: ids.finance, kind: 'm365', displayName: 'Finance', mailNickname: 'finance', members: [u2], writebackConfiguration: { onPremisesGroupType: 'universalSecurityGroup' } });
    c.createGroup({ id: ids.legal, kind: 'm365', displayName: 'Legal', mailNickname: 'legal', members: [u3], writebackConfiguration: { onPremisesGroupType: 'universalMailEnabledSecurityGroup' } });
    c.createGroup({ id: ids.appAccess, kind: 'security', displayName: 'App Access', members: [u1, u3], writebackConfiguration: { isEnabled: true } });
    c.createGroup({ id: ids.printers, kind: 'security', displayName: 'Printers', members: [u4], writebackConfiguration: { isEnabled: true } });
    c.createGroup({ id: ids.notEnabled, kind: 'security', displayName: 'Not enabled', members: [u1] });
    c.createGroup({ id: ids.allStaff, kind: 'security', displayName: 'All staff', members: synced, writebackConfiguration: { isEnabled: true } });
    say(`- tenant seeded: ${synced.length} synced users, ${cloudOnly.length} cloud-only users, 7 groups (one of ${synced.length} members)`);

    await timed('initial writeback (subscription created, full delta round, relay exports)', async () => {
      await stack.subscribe();
      await stack.settle(600_000);
    });
    let ad = await groups(stack);
    check(ad.size === 6, `6 groups written back (not-enabled security group left out): ${ad.size}`);
    check(ad.get(anchor(ids.sales))?.groupType === 8, 'Sales (Microsoft 365, default type) is a universal distribution group');
    check(ad.get(anchor(ids.finance))?.groupType === -2147483640, 'Finance (universalSecurityGroup) is a universal security group');
    check(ad.get(anchor(ids.legal))?.groupType === -2147483640, 'Legal (universalMailEnabledSecurityGroup) is a universal security group');
    check(ad.get(anchor(ids.sales))?.members.length === 2, 'Sales has its 2 synced members; the cloud-only member is reported, not written');
    check(ad.get(anchor(ids.allStaff))?.members.length === BIG_GROUP_MEMBERS, `All staff has ${BIG_GROUP_MEMBERS} members`);
    check(ad.get(anchor(ids.sales))?.cn === `Sales_${ids.sales.slice(-12)}`, 'CN uses the displayName format');

    const salesGuid = ad.get(anchor(ids.sales))?.objectGUID;
    await timed('rename Sales -> Sales EMEA', async () => {
      c.updateGroup(ids.sales, { properties: { displayName: 'Sales EMEA' } });
      await stack.settle();
    });
    ad = await groups(stack);
    check(ad.get(anchor(ids.sales))?.cn === `Sales EMEA_${ids.sales.slice(-12)}`, 'renamed in place (modifyDN)');
    check(ad.get(anchor(ids.sales))?.objectGUID === salesGuid, 'same objectGUID after the rename');

    await timed('member add (Printers) and remove (App Access)', async () => {
      c.addMembers(ids.printers, [u1]);
      c.removeMembers(ids.appAccess, [u3]);
      await stack.settle();
    });
    ad = await groups(stack);
    check(ad.get(anchor(ids.printers))?.members.length === 2, 'Printers has 2 members');
    check(ad.get(anchor(ids.appAccess))?.members.length === 1, 'App Access has 1 member');

    const financeSid = ad.get(anchor(ids.finance))?.objectSid;
    await timed('soft delete Finance', async () => {
      c.deleteGroup(ids.finance, { permanent: false });
      await stack.settle();
    });
    ad = await groups(stack);
    check(ad.get(anchor(ids.finance))?.members.length === 0, 'soft-deleted Finance kept in AD with no members');
    await timed('restore Finance', async () => {
      c.restore(ids.finance);
      await stack.settle();
    });
    ad = await groups(stack);
    check(ad.get(anchor(ids.finance))?.members.length === 1 && ad.get(anchor(ids.finance))?.objectSid === financeSid, 'restored Finance has its member back, same SID');

    await timed('permanent delete Legal', async () => {
      c.deleteGroup(ids.legal, { permanent: true });
      await stack.settle();
    });
    await timed('writeback disabled on Printers', async () => {
      c.updateGroup(ids.printers, { writebackConfiguration: { isEnabled: false } });
      await stack.settle();
    });
    ad = await groups(stack);
    check(!ad.has(anchor(ids.legal)), 'Legal deleted from AD');
    check(!ad.has(anchor(ids.printers)), 'Printers deleted from AD');

    say('\nWhat AD holds now (writeback OU):');
    const statuses = new Map((await stack.runtime.statuses.list(stack.tenantId)).map((s) => [s.groupId, s]));
    const rows = [...ad.values()].map((g) => {
      const id = (g.adminDescription ?? '').replace(/^Group_/, '');
      const st = statuses.get(id);
      return {
        cn: g.cn,
        type: g.groupType === 8 ? 'distribution' : 'security',
        members: String(g.members.length),
        status: st ? `${st.state}${st.cloudOnlyMembers ? ` (${st.cloudOnlyMembers} cloud-only)` : ''}` : '-',
      };
    });
    const widths = { cn: Math.max(2, ...rows.map((r) => r.cn.length)), type: 12, members: 7 };
    say(`  ${'cn'.padEnd(widths.cn)}  ${'type'.padEnd(widths.type)}  ${'members'.padStart(widths.members)}  status`);
    for (const r of rows) say(`  ${r.cn.padEnd(widths.cn)}  ${r.type.padEnd(widths.type)}  ${r.members.padStart(widths.members)}  ${r.status}`);
  } finally {
    await stopStack(stack);
  }
  if (failures.length > 0) {
    say(`\n${failures.length} check(s) failed`);
    process.exitCode = 1;
  } else {
    say('\nall checks passed');
  }
}

parseCommandLine(USAGE, { options: {} });
main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
