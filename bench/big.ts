// The big-group benchmark: a new cloud group with N synced-user members, end to end -- the Graph simulator
// (this process) notifies the planner (bench/big-planner-child.ts: the Functions host with the real round
// code, its own process), which plans and sends the group's snapshot to the queue it serves; the relay
// (bench/big-relay-child.ts, its own process) writes it into the DC. Time: from the change in the simulator
// until the relay sent the result that completes the group (after its LDAP writes), checked in AD. Against
// ldapmodify writing the same member values into a group created beforehand, alternated. Peak RSS of both
// processes from /proc (VmHWM). The DC is the benchmark's own (bench/bench-dc.ts), with the users seeded into
// it once; every side starts from its seed (restored: stop, copy, start), so no side meets another's group,
// its inactive links or a fragmented database file, and no 250,000-member group has to be deleted.
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from 'ldapts';
import { startGraphSimulator } from '../dev/graph-sim/index.js';
import { ensureAzurite, stopAzuriteIfStartedByRun } from '../dev/stack/azurite.js';
import { createGroup } from '../dev/stack/ad-objects.js';
import { peerUserId } from '../dev/stack/peer-users.js';
import { delegateWritebackOu, ensureRelayAccount, type RelayAccount } from '../dev/stack/relay-account.js';
import type { SambaDc } from '../dev/stack/samba.js';
import { silentLogger } from '../shared/logging.js';
import { benchDcSeedUsers, ensureBenchDc, restoreBenchDcSeed, saveBenchDcSeed, stopBenchDc } from './bench-dc.js';
import { BenchChild, processMemory } from './big-children.js';
import { bigMarkdown, type BigResult, type LdapmodifyRun, type PipelineRun } from './big-report.js';
import { BIND_PASSWORD_ENV, type PlannerInput, type RelayInput } from './big-protocol.js';
import { adminClient, benchOu, ensureBenchUsers, ensureOu, type BenchUser } from './bench-users.js';
import { summarizeCpuProfile } from './cpu-profile.js';
import { LdapmodifyRunner, memberAddLdif } from './ldapmodify.js';
import { compileBenchChild } from './planner-memory-build.js';
import { deleteBigGroup } from './empty-group.js';
import { measureDcSched } from './dc-schedstat.js';
import { probeDc } from './member-throughput.js';
import { machineInfo, machineLines } from './report.js';
import { fmt, mib } from './stats.js';

export interface BigOptions {
  members: number;
  runs: number;
  /** Member values per modify: the relay's memberChunkSize and ldapmodify's records. */
  chunkSize: number;
  /** Per pipeline run, from the change to the group complete in AD. */
  timeoutMs: number;
  keepDc: boolean;
  /** Run the planner process compiled to JavaScript (as Azure Functions run it) instead of under tsx. */
  compiled: boolean;
  /** Write V8 CPU profiles of both processes under this directory and summarise them (adds overhead). */
  profileDir?: string;
  progress: (line: string) => void;
}

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Context {
  dc: SambaDc;
  admin: Client;
  runner: LdapmodifyRunner;
  account: RelayAccount;
  tablesConnectionString: string;
  users: BenchUser[];
  opts: BigOptions;
  /** The planner child compiled to JavaScript, when opts.compiled. */
  plannerJs: string | undefined;
}

/** The group's member count by ranged reads of `member` (the DC hands out 1,500 values a read): a memberOf
 *  search over a few hundred thousand users ends in an operations error on Samba 4.17. */
async function countMembersRanged(admin: Client, groupDn: string): Promise<number> {
  let total = 0;
  for (;;) {
    const { searchEntries } = await admin.search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: [`member;range=${total}-*`] });
    const entry = searchEntries[0];
    if (!entry) throw new Error(`group ${groupDn} not found`);
    const key = Object.keys(entry).find((k) => k.toLowerCase().startsWith('member;range='));
    if (!key) return total;
    const values = entry[key];
    total += Array.isArray(values) ? values.length : 1;
    if (key.endsWith('-*')) return total;
  }
}

function groupsOu(dc: Pick<SambaDc, 'baseDn'>): string {
  return `OU=BigGroups,${benchOu(dc)}`;
}

async function pipelineSide(ctx: Context, run: number, first: boolean): Promise<PipelineRun> {
  const { dc, users, opts } = ctx;
  const probeMs = await probeDc(ctx.admin);
  const sim = await startGraphSimulator({ tenantId: randomUUID(), tls: true, log: silentLogger(), delivery: { timeoutMs: 30_000 } });
  let planner: BenchChild | undefined;
  let relay: BenchChild | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let profiles: { planner: { nodeArgs: string[]; dir: string } | undefined; relay: { nodeArgs: string[]; dir: string } | undefined } = { planner: undefined, relay: undefined };
  let outcome: Omit<PipelineRun, 'cpu'>;
  try {
    // The same people in the cloud, synced from AD: their onPremisesSecurityIdentifier is the AD SID.
    const ids = users.map((u) => String(sim.control.createUser({ displayName: u.sam, synced: { securityIdentifier: u.sid, samAccountName: u.sam } })['id']));
    const simCaFile = ctx.runner.file(`sim-ca-${run}.pem`);
    await writeFile(simCaFile, sim.caPem ?? '');
    const plannerInput: PlannerInput = { graphBaseUrl: sim.baseUrl, tenantId: sim.tenantId, simCaFile, tablesConnectionString: ctx.tablesConnectionString };
    const plannerFile = ctx.runner.file(`planner-${run}.json`);
    await writeFile(plannerFile, JSON.stringify(plannerInput));
    const profile = (name: string): { nodeArgs: string[]; dir: string } | undefined =>
      opts.profileDir === undefined ? undefined : { dir: path.join(opts.profileDir, `run-${run}`, name), nodeArgs: ['--cpu-prof', '--cpu-prof-dir', path.join(opts.profileDir, `run-${run}`, name)] };
    profiles = { planner: profile('planner'), relay: profile('relay') };
    planner = new BenchChild('planner process', 'big-planner-child.ts', plannerFile, {
      nodeArgs: profiles.planner?.nodeArgs ?? [],
      ...(ctx.plannerJs === undefined ? {} : { compiled: ctx.plannerJs }),
    });
    const ready = await planner.next('ready', 60_000);
    if (!ready.queueUrl) throw new Error('the planner process named no queue URL');
    const relayInput: RelayInput = {
      queueUrl: ready.queueUrl,
      url: dc.url,
      tlsServerName: dc.tlsServerName,
      caFile: dc.caFile,
      bindDn: ctx.account.bindDn,
      writebackOu: groupsOu(dc),
      chunkSize: opts.chunkSize,
    };
    const relayFile = ctx.runner.file(`relay-${run}.json`);
    await writeFile(relayFile, JSON.stringify(relayInput));
    relay = new BenchChild('relay process', 'big-relay-child.ts', relayFile, { env: { [BIND_PASSWORD_ENV]: ctx.account.password }, nodeArgs: profiles.relay?.nodeArgs ?? [] });
    await relay.next('ready', 60_000);
    planner.send({ cmd: 'subscribe' });
    await planner.next('subscribed', 60_000);

    const groupId = randomUUID();
    relay.send({ cmd: 'watch', groupId, members: users.length });
    const p = planner;
    const r = relay;
    const base = { planner: processMemory(p.pid).rss, relay: processMemory(r.pid).rss };
    const peak = { ...base };
    sampler = setInterval(() => {
      peak.planner = Math.max(peak.planner, processMemory(p.pid).rss);
      peak.relay = Math.max(peak.relay, processMemory(r.pid).rss);
    }, 100);
    const dcSched = measureDcSched(dc.pid);
    const start = Date.now();
    sim.control.createGroup({ id: groupId, displayName: `Bench big ${groupId.slice(0, 8)}`, kind: 'm365', members: ids });
    const done = await relay.next('done', opts.timeoutMs);
    const dcSpent = dcSched();
    clearInterval(sampler);
    const plannerMemory = processMemory(p.pid);
    const relayMemory = processMemory(r.pid);
    if (!done.groupDn) throw new Error('the relay reported no group DN');
    const ms = done.at - start;
    const inAd = await countMembersRanged(ctx.admin, done.groupDn);
    if (inAd !== users.length) throw new Error(`the pipeline left ${inAd} members in AD, expected ${users.length}; outcomes ${JSON.stringify(done.outcomes)}`);
    outcome = {
      run,
      first,
      probeMs,
      ms,
      rate: users.length / (ms / 1000),
      dc: dcSpent,
      relayStartMs: done.firstMessageAt === null ? null : done.firstMessageAt - start,
      results: done.results,
      outcomes: done.outcomes,
      ldap: done.ldap,
      relayCpuMs: done.cpuMs,
      planner: { baseRss: base.planner, peakRssDuringRun: peak.planner, peakRss: plannerMemory.peakRss },
      relay: { baseRss: base.relay, peakRssDuringRun: peak.relay, peakRss: relayMemory.peakRss },
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await relay?.stop();
    await planner?.stop();
    await sim.close();
  }
  // The profiles are written as the processes exit.
  if (!profiles.planner || !profiles.relay) return outcome;
  return { ...outcome, cpu: { planner: await summarizeCpuProfile(profiles.planner.dir, ROOT), relay: await summarizeCpuProfile(profiles.relay.dir, ROOT) } };
}

async function ldapmodifySide(ctx: Context, run: number, first: boolean): Promise<LdapmodifyRun> {
  const { dc, users, admin } = ctx;
  const probeMs = await probeDc(admin);
  const sam = `wbbb-${randomUUID().slice(0, 12)}`;
  const group = await createGroup(admin, groupsOu(dc), sam, { scope: 'universal', security: true, cn: `Bench big ldapmodify ${sam}` });
  const file = ctx.runner.file(`${sam}.ldif`);
  await writeFile(file, memberAddLdif(group.dn, users.map((u) => `<SID=${u.sid}>`), ctx.opts.chunkSize));
  const dcSched = measureDcSched(dc.pid);
  const result = await ctx.runner.run(file);
  const dcSpent = dcSched();
  const inAd = await countMembersRanged(admin, group.dn);
  if (inAd !== users.length) throw new Error(`ldapmodify left ${inAd} members in AD, expected ${users.length}`);
  return { run, first, probeMs, ms: result.ms, rate: users.length / (result.ms / 1000), dc: dcSpent };
}

/** Deletes the groups an earlier run left in the OU (before a seed is taken; a big one in steps). */
async function removeLeftovers(admin: Client, ou: string, progress: (line: string) => void): Promise<void> {
  const { searchEntries } = await admin.search(ou, { scope: 'one', filter: '(objectClass=group)', attributes: ['1.1'] });
  for (const entry of searchEntries) {
    const { members, ms } = await deleteBigGroup(admin, entry.dn);
    progress(`removed a group left by an earlier run (${fmt(members)} members) in ${fmt(ms / 1000, 1)} s`);
  }
}

/** The OU, the relay's account and its delegation: in the seed, and made sure of after each restore (cheap). */
async function prepareDirectory(admin: Client, dc: SambaDc): Promise<RelayAccount> {
  await ensureOu(admin, groupsOu(dc));
  const account = await ensureRelayAccount(admin, dc);
  await delegateWritebackOu(admin, groupsOu(dc), account);
  return account;
}

/** Deleting what a leftover 250,000-member group holds takes minutes on Samba. */
const ADMIN_TIMEOUT_MS = 60 * 60_000;

export async function runBig(opts: BigOptions, command: string): Promise<BigResult & { markdown: string }> {
  const machine = machineInfo();
  let dc = await ensureBenchDc(opts.progress);
  opts.progress(`bench DC ${dc.url} (${dc.startedByThisProcess ? 'started' : 'running'}); ensuring ${fmt(opts.members)} bench users (created in bulk once, reused)`);
  const seeded = await ensureBenchUsers(dc, opts.members, {
    // The bench DC serves nobody else: large transactions (fewer commits of the big index lists).
    perTransaction: 5000,
    progress: (created, missing, ms) => opts.progress(`  created ${fmt(created)} of ${fmt(missing)} users (${fmt(ms / 1000)} s)`),
  });
  opts.progress(`${fmt(opts.members)} users ready in ${fmt(seeded.ms / 1000)} s (${fmt(seeded.created)} created)`);
  const azurite = await ensureAzurite();
  let admin = await adminClient(dc, ADMIN_TIMEOUT_MS);
  const runner = await LdapmodifyRunner.create({ url: dc.url, tlsServerName: dc.tlsServerName, caFile: dc.caFile, bindDn: dc.adminBindDn, password: dc.adminPassword });
  const pipeline: PipelineRun[] = [];
  const ldapmodify: LdapmodifyRun[] = [];
  const restoreMs: number[] = [];
  try {
    let account = await prepareDirectory(admin, dc);
    const seedUsers = await benchDcSeedUsers();
    if (seedUsers === undefined || seedUsers < opts.members || seeded.created > 0) {
      await removeLeftovers(admin, groupsOu(dc), opts.progress);
      await admin.unbind();
      dc = await saveBenchDcSeed(dc, Math.max(seedUsers ?? 0, opts.members), opts.progress);
      admin = await adminClient(dc, ADMIN_TIMEOUT_MS);
    }
    const plannerJs = opts.compiled ? await compileBenchChild(ROOT, await mkdtemp(path.join(os.tmpdir(), 'bench-big-planner-')), 'big-planner-child.ts') : undefined;
    for (let run = 1; run <= opts.runs; run += 1) {
      // Alternate the order, so neither side always meets a DC warmed (or tired) by the other.
      const sides = run % 2 === 1 ? (['pipeline', 'ldapmodify'] as const) : (['ldapmodify', 'pipeline'] as const);
      for (const [i, side] of sides.entries()) {
        const t0 = Date.now();
        await admin.unbind().catch(() => undefined);
        dc = await restoreBenchDcSeed(dc, () => undefined);
        admin = await adminClient(dc, ADMIN_TIMEOUT_MS);
        account = await prepareDirectory(admin, dc);
        restoreMs.push(Date.now() - t0);
        const ctx: Context = { dc, admin, runner, account, tablesConnectionString: azurite.connectionString, users: seeded.users, opts, plannerJs };
        if (side === 'pipeline') {
          const r = await pipelineSide(ctx, run, i === 0);
          pipeline.push(r);
          opts.progress(
            `run ${run} pipeline:   ${fmt(r.ms / 1000, 1)} s (${fmt(r.rate)} members/s; relay took the group after ${fmt((r.relayStartMs ?? 0) / 1000, 1)} s), ` +
              `peak RSS planner ${mib(r.planner.peakRss)}, relay ${mib(r.relay.peakRss)}`,
          );
        } else {
          const r = await ldapmodifySide(ctx, run, i === 0);
          ldapmodify.push(r);
          opts.progress(`run ${run} ldapmodify: ${fmt(r.ms / 1000, 1)} s (${fmt(r.rate)} members/s)`);
        }
      }
    }
  } finally {
    await runner.close();
    await admin.unbind().catch(() => undefined);
    await stopAzuriteIfStartedByRun(peerUserId());
    if (!opts.keepDc) await stopBenchDc(dc);
  }
  const result: BigResult = { options: { members: opts.members, runs: opts.runs, chunkSize: opts.chunkSize, compiled: opts.compiled }, seeding: { created: seeded.created, createMs: seeded.createMs, ms: seeded.ms }, pipeline, ldapmodify, restoreMs };
  return { ...result, markdown: bigMarkdown(result, machineLines(machine, command)) };
}
