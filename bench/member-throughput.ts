// Member throughput: a new group with N synced-user members written into the DC two ways in the same run
// against the same DC -- by the relay (the planner's messages on the embedded queue, measured from the first
// enqueue until every result has arrived) and by ldapmodify (the same member adds: same chunk size, same
// `<SID=...>` values, same permissive-modify control, one modify per chunk, over verified LDAPS). Runs
// alternate which side goes first; medians are reported. Each run's group is deleted afterwards.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeFilter, type Client } from 'ldapts';
import { peerUserId } from '../dev/stack/peer-users.js';
import { ensureSambaDc, stopSambaDcIfStartedByRun, type SambaDc } from '../dev/stack/samba.js';
import { createGroup } from '../dev/stack/ad-objects.js';
import { delegateWritebackOu, ensureRelayAccount, type RelayAccount } from '../dev/stack/relay-account.js';
import { adminClient, benchOu, benchUsersOu, ensureBenchUsers, ensureOu, type BenchUser } from './bench-users.js';
import { LdapmodifyRunner, memberAddLdif } from './ldapmodify.js';
import { BIND_PASSWORD_ENV, RESULT_PREFIX, childOutputSchema, type ChildInput, type ChildOutput } from './relay-child-protocol.js';
import { machineInfo, machineLines, markdownTable } from './report.js';
import { measureDcSched, type DcSched } from './dc-schedstat.js';
import { fmt, median, mib } from './stats.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ThroughputOptions {
  members: number;
  runs: number;
  /** Member values per modify, for both sides (the relay's memberChunkSize). */
  chunkSize: number;
  /** snapshot: what the planner sends for a new group; upsert: member additions to an existing one. */
  kind: 'snapshot' | 'upsert';
  /** Per relay run. */
  timeoutMs: number;
  /** Leave the DC (and the bench users in it) running for the next run. */
  keepDc: boolean;
  progress: (line: string) => void;
}

interface SideRun {
  run: number;
  /** This side went first in its run. */
  first: boolean;
  /** Median round trip of a trivial search just before this side started: how busy the shared DC was. */
  probeMs: number;
  ms: number;
  rate: number;
  /** How the DC spent this side's time (bench/dc-schedstat.ts); null where not measurable. */
  dc: DcSched | null;
}

type RelayRun = ChildOutput & SideRun;
type LdapmodifyRunResult = SideRun;

export interface ThroughputResult {
  options: Omit<ThroughputOptions, 'progress' | 'keepDc'>;
  relay: RelayRun[];
  ldapmodify: LdapmodifyRunResult[];
  relayMedianRate: number;
  ldapmodifyMedianRate: number;
  ratio: number;
  /** Median of the per-run ratios (each run's two sides ran back to back, under similar DC load). */
  pairedRatio: number;
  /** Median of the per-run ratios with each side's DC waits for a CPU taken out; null if not measured. */
  cpuWaitFreeRatio: number | null;
  messages: number;
  deleteMs: number[];
  markdown: string;
}

export function groupsOu(dc: Pick<SambaDc, 'baseDn'>): string {
  return `OU=Groups,${benchOu(dc)}`;
}

/** Members of `groupDn` among the bench users, counted through the memberOf back-link (paged). */
export async function countMembers(admin: Client, dc: SambaDc, groupDn: string): Promise<number> {
  const { searchEntries } = await admin.search(benchUsersOu(dc), {
    scope: 'one',
    filter: escapeFilter`(memberOf=${groupDn})`,
    attributes: ['1.1'],
    paged: { pageSize: 1000 },
  });
  return searchEntries.length;
}

/** Groups left in the bench OU by an interrupted run. */
export async function removeLeftoverGroups(admin: Client, ou: string): Promise<number> {
  const { searchEntries } = await admin.search(ou, { scope: 'one', filter: '(objectClass=group)', attributes: ['1.1'] });
  for (const entry of searchEntries) await admin.del(entry.dn);
  return searchEntries.length;
}

/** The DC is shared (one per machine): a trivial search's round trip shows whether others keep it busy. */
export async function probeDc(admin: Client): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const t0 = performance.now();
    await admin.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function timedDelete(admin: Client, dn: string): Promise<number> {
  const t0 = performance.now();
  await admin.del(dn);
  return performance.now() - t0;
}

function runRelayChild(inputFile: string, password: string, timeoutMs: number): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', 'throughput-relay-child.ts'), inputFile], {
      cwd: ROOT,
      env: { ...process.env, [BIND_PASSWORD_ENV]: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs + 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`relay child failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`));
        return;
      }
      resolve(childOutputSchema.parse(JSON.parse(line.slice(RESULT_PREFIX.length))));
    });
  });
}

async function relaySide(
  dc: SambaDc,
  account: RelayAccount,
  admin: Client,
  runner: LdapmodifyRunner,
  members: { cloudId: string; sid: string }[],
  opts: ThroughputOptions,
  deleteMs: number[],
  side: Omit<SideRun, 'ms' | 'rate' | 'dc'>,
): Promise<RelayRun> {
  const input: ChildInput = {
    url: dc.url,
    tlsServerName: dc.tlsServerName,
    caFile: dc.caFile,
    bindDn: account.bindDn,
    writebackOu: groupsOu(dc),
    tenantId: randomUUID(),
    groupId: randomUUID(),
    kind: opts.kind,
    chunkSize: opts.chunkSize,
    members,
    timeoutMs: opts.timeoutMs,
    dcPid: dc.pid,
  };
  const file = runner.file(`relay-${input.groupId}.json`);
  await writeFile(file, JSON.stringify(input));
  const out = await runRelayChild(file, account.password, opts.timeoutMs);
  if (!out.groupDn) throw new Error('the relay reported no group DN');
  try {
    const inAd = await countMembers(admin, dc, out.groupDn);
    if (inAd !== members.length || out.membersAdded !== members.length) {
      throw new Error(`relay run wrote ${out.membersAdded} members (AD holds ${inAd}), expected ${members.length}; outcomes ${JSON.stringify(out.outcomes)}`);
    }
  } finally {
    deleteMs.push(await timedDelete(admin, out.groupDn));
  }
  return { ...out, ...side, rate: members.length / (out.ms / 1000) };
}

async function ldapmodifySide(
  dc: SambaDc,
  admin: Client,
  runner: LdapmodifyRunner,
  users: BenchUser[],
  opts: ThroughputOptions,
  deleteMs: number[],
  side: Omit<SideRun, 'ms' | 'rate' | 'dc'>,
): Promise<LdapmodifyRunResult> {
  const sam = `wbbl-${randomBytes(6).toString('hex')}`;
  const group = await createGroup(admin, groupsOu(dc), sam, { scope: 'universal', security: true, cn: `Bench ldapmodify ${sam}` });
  try {
    const file = runner.file(`${sam}.ldif`);
    await writeFile(file, memberAddLdif(group.dn, users.map((u) => `<SID=${u.sid}>`), opts.chunkSize));
    const dcSched = measureDcSched(dc.pid);
    const run = await runner.run(file);
    const dcSpent = dcSched();
    const inAd = await countMembers(admin, dc, group.dn);
    if (inAd !== users.length) throw new Error(`ldapmodify run left ${inAd} members in AD, expected ${users.length}`);
    return { ...side, ms: run.ms, rate: users.length / (run.ms / 1000), dc: dcSpent };
  } finally {
    deleteMs.push(await timedDelete(admin, group.dn));
  }
}

export async function runMemberThroughput(opts: ThroughputOptions, command: string): Promise<ThroughputResult> {
  const machine = machineInfo();
  const dc = await ensureSambaDc({ keep: opts.keepDc });
  opts.progress(`DC ${dc.url} (${dc.tlsServerName}); ensuring ${opts.members} bench users (created once, reused)`);
  const t0 = Date.now();
  const { users, created } = await ensureBenchUsers(dc, opts.members, {
    progress: (done, missing) => opts.progress(`  created ${done} of ${missing} users (${Math.round((Date.now() - t0) / 1000)} s)`),
  });
  if (created > 0) opts.progress(`created ${created} users in ${Math.round((Date.now() - t0) / 1000)} s`);
  const members = users.map((u) => ({ cloudId: randomUUID(), sid: u.sid }));

  const admin = await adminClient(dc);
  const runner = await LdapmodifyRunner.create({
    url: dc.url,
    tlsServerName: dc.tlsServerName,
    caFile: dc.caFile,
    bindDn: dc.adminBindDn,
    password: dc.adminPassword,
  });
  const relay: RelayRun[] = [];
  const ldapmodify: LdapmodifyRunResult[] = [];
  const deleteMs: number[] = [];
  try {
    await ensureOu(admin, groupsOu(dc));
    // The relay binds as its own account, delegated on the groups OU as docs/relay.md describes.
    const account = await ensureRelayAccount(admin, dc);
    await delegateWritebackOu(admin, groupsOu(dc), account);
    const leftovers = await removeLeftoverGroups(admin, groupsOu(dc));
    if (leftovers > 0) opts.progress(`removed ${leftovers} group(s) left by an earlier run`);
    for (let run = 1; run <= opts.runs; run += 1) {
      // Alternate the order, so neither side always meets a DC warmed (or tired) by the other.
      const sides = run % 2 === 1 ? (['relay', 'ldapmodify'] as const) : (['ldapmodify', 'relay'] as const);
      for (const [i, side] of sides.entries()) {
        const info = { run, first: i === 0, probeMs: await probeDc(admin) };
        if (side === 'relay') {
          const r = await relaySide(dc, account, admin, runner, members, opts, deleteMs, info);
          relay.push(r);
          const calls = Object.entries(r.ldap)
            .filter(([, op]) => op.count > 0)
            .map(([name, op]) => `${op.count} ${name} ${fmt(op.ms / 1000, 1)} s`)
            .join(', ');
          opts.progress(
            `run ${run} relay:      ${fmt(r.ms / 1000, 2)} s, ${fmt(r.rate)} members/s, DC probe ${fmt(r.probeMs, 1)} ms, ` +
              `peak RSS ${mib(r.peakRss)}, CPU ${fmt(r.cpuMs / 1000, 1)} s (${calls}); before the first LDAP call ${msOrNa(r.leadMs)}, ` +
              `after the last ${msOrNa(r.tailMs)}; ${dcLine(r)}`,
          );
        } else {
          const r = await ldapmodifySide(dc, admin, runner, users, opts, deleteMs, info);
          ldapmodify.push(r);
          opts.progress(`run ${run} ldapmodify: ${fmt(r.ms / 1000, 2)} s, ${fmt(r.rate)} members/s, DC probe ${fmt(r.probeMs, 1)} ms; ${dcLine(r)}`);
        }
      }
    }
  } finally {
    await runner.close();
    await admin.unbind().catch(() => undefined);
    if (!opts.keepDc) {
      // The last user of the shared DC stops it if a process (not a person with --keep) started it; the
      // bench users go with it, and the next run creates them again.
      if (await stopSambaDcIfStartedByRun(peerUserId())) opts.progress('stopped the Samba DC this run started (use --keep-dc to keep it and its bench users)');
    }
  }

  const relayMedianRate = median(relay.map((r) => r.rate));
  const ldapmodifyMedianRate = median(ldapmodify.map((r) => r.rate));
  const ratio = relayMedianRate / ldapmodifyMedianRate;
  const pairedRatio = median(relay.map((r) => r.rate / (ldapmodify.find((l) => l.run === r.run)?.rate ?? Number.NaN)));
  const cpuWaitFree = relay.flatMap((r) => {
    const l = ldapmodify.find((x) => x.run === r.run);
    // Same members on both sides: the rate ratio is the inverse time ratio.
    return r.dc && l?.dc ? [(l.ms - l.dc.cpuWaitMs) / (r.ms - r.dc.cpuWaitMs)] : [];
  });
  const cpuWaitFreeRatio = cpuWaitFree.length === relay.length && relay.length > 0 ? median(cpuWaitFree) : null;
  const result = {
    options: { members: opts.members, runs: opts.runs, chunkSize: opts.chunkSize, kind: opts.kind, timeoutMs: opts.timeoutMs },
    relay,
    ldapmodify,
    relayMedianRate,
    ldapmodifyMedianRate,
    ratio,
    pairedRatio,
    cpuWaitFreeRatio,
    messages: relay[0]?.messages ?? 0,
    deleteMs,
  };
  return { ...result, markdown: throughputMarkdown(result, machineLines(machine, command)) };
}

const msOrNa = (ms: number | null): string => (ms === null ? 'n/a' : `${fmt(ms)} ms`);

/** DC idle: the part of a side's time the DC was neither serving nor waiting for a CPU, i.e. waiting for requests. */
function dcIdleMs(side: SideRun): number | null {
  return side.dc ? Math.max(0, side.ms - side.dc.busyMs - side.dc.cpuWaitMs) : null;
}

function dcLine(side: SideRun): string {
  const idle = dcIdleMs(side);
  return side.dc && idle !== null
    ? `DC busy ${fmt(side.dc.busyMs / 1000, 2)} s, waiting for a CPU ${fmt(side.dc.cpuWaitMs / 1000, 2)} s, idle ${fmt(idle / 1000, 2)} s`
    : 'DC scheduler statistics not available';
}

/** `relay / ldapmodify` seconds of one DC figure. */
function dcPair(relay: SideRun, ldapmodify: SideRun | undefined, pick: (side: SideRun) => number | null): string {
  const s = (side: SideRun | undefined): string => {
    const v = side ? pick(side) : null;
    return v === null ? 'n/a' : fmt(v / 1000, 2);
  };
  return `${s(relay)} / ${s(ldapmodify)}`;
}

/** The relay run with the median rate (for its LDAP operation profile). */
function medianRun(runs: readonly RelayRun[]): RelayRun | undefined {
  const sorted = [...runs].sort((a, b) => a.rate - b.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function throughputMarkdown(r: Omit<ThroughputResult, 'markdown'>, machine: string): string {
  const { options: o } = r;
  const summary = [
    [
      `relay (${r.messages} ${o.kind} messages on the embedded queue)`,
      `${fmt(median(r.relay.map((x) => x.ms)) / 1000, 2)} s`,
      fmt(r.relayMedianRate),
    ],
    ['ldapmodify (same modifies)', `${fmt(median(r.ldapmodify.map((x) => x.ms)) / 1000, 2)} s`, fmt(r.ldapmodifyMedianRate)],
  ];
  const perRun = r.relay.map((rel) => {
    const ldm = r.ldapmodify.find((l) => l.run === rel.run);
    return [
      String(rel.run),
      rel.first ? 'relay' : 'ldapmodify',
      `${fmt(rel.ms / 1000, 2)} s (${fmt(rel.rate)}/s)`,
      ldm ? `${fmt(ldm.ms / 1000, 2)} s (${fmt(ldm.rate)}/s)` : 'n/a',
      ldm ? fmt(rel.rate / ldm.rate, 2) : 'n/a',
      `${fmt(rel.probeMs, 1)} / ${ldm ? fmt(ldm.probeMs, 1) : 'n/a'}`,
      fmt((rel.ldap['search']?.ms ?? 0) / 1000, 2),
      fmt((rel.ldap['modify']?.ms ?? 0) / 1000, 2),
      fmt(rel.cpuMs / 1000, 2),
      `${rel.leadMs === null ? 'n/a' : fmt(rel.leadMs)} / ${rel.tailMs === null ? 'n/a' : fmt(rel.tailMs)}`,
      dcPair(rel, ldm, (x) => x.dc?.busyMs ?? null),
      dcPair(rel, ldm, (x) => x.dc?.cpuWaitMs ?? null),
      dcPair(rel, ldm, dcIdleMs),
    ];
  });
  const mid = medianRun(r.relay);
  const ldap = mid?.ldap ?? {};
  const ldapMs = Object.values(ldap).reduce((n, op) => n + op.ms, 0);
  const opRows = Object.entries(ldap)
    .filter(([, op]) => op.count > 0)
    .sort(([, a], [, b]) => b.ms - a.ms)
    .map(([name, op]) => [name, fmt(op.count), `${fmt(op.ms)} ms`, mid ? `${fmt((100 * op.ms) / mid.ms, 1)} %` : 'n/a']);
  if (mid) {
    const outside = Math.max(0, mid.ms - ldapMs);
    opRows.push(['(outside LDAP calls: queue, validation, JSON, scheduling)', '', `${fmt(outside)} ms`, `${fmt((100 * outside) / mid.ms, 1)} %`]);
  }
  const peakRss = Math.max(...r.relay.map((x) => x.peakRss));
  const peakHeap = Math.max(...r.relay.map((x) => x.peakHeap));
  const baseRss = median(r.relay.map((x) => x.baseRss));
  const maxRss = Math.max(...r.relay.map((x) => x.maxRss));
  const verdict = (ratio: number): string => (ratio >= 1.0 ? 'meets the target (>= 1.0)' : 'BELOW the target (>= 1.0)');
  return [
    '## Member throughput (relay vs ldapmodify)',
    '',
    machine,
    '',
    [
      `One new group with ${fmt(o.members)} synced-user members (\`<SID=...>\` values) written ${o.runs} times by each side`,
      `against the same DC, alternating which side goes first; ${fmt(o.chunkSize)} member values per modify on both sides;`,
      `the relay got ${r.messages} ${o.kind} messages (what the planner sends for a new group, split under the 192 KB`,
      'body budget). Relay time: first enqueue until the last result message arrived (group created, member SIDs checked',
      'against the nesting rules, members committed). ldapmodify time: process start to exit (TLS with verification,',
      'bind, the same modifies with the permissive-modify control); its group is created beforehand. Every run is checked',
      'in AD (member count through memberOf) and its group deleted afterwards.',
    ].join(' '),
    '',
    markdownTable(['Writer', 'Median time', 'Median members/s'], summary),
    '',
    `**Ratio relay / ldapmodify: ${fmt(r.ratio, 2)}** (median rates) -- ${verdict(r.ratio)}; median of the per-run ratios ${fmt(r.pairedRatio, 2)}` +
      (r.cpuWaitFreeRatio === null
        ? '.'
        : `; median of the per-run ratios with each side's DC waits for a CPU taken out ${fmt(r.cpuWaitFreeRatio, 2)} (what the two ` +
          'writers cost, without the share of the machine other processes took meanwhile).'),
    '',
    'Per run. "DC probe" is the median round trip of a trivial search just before each side started (relay / ldapmodify):',
    'the DC is shared by everything on the machine and serves one request at a time, so a high probe means other work was',
    'queued on it and that side\'s figure is inflated by it. The DC columns split each side\'s time by what the DC\'s',
    'process did meanwhile (kernel scheduler statistics, relay / ldapmodify): busy on a CPU (this writer\'s requests and',
    'any other client\'s), runnable but waiting for a CPU other processes held, and idle, i.e. waiting for a request.',
    '"Relay lead / tail ms": first enqueue until the relay\'s first LDAP request, and its last LDAP response until the last',
    'result arrived (queue, message checks, settling, results): relay time in which the DC has nothing of it to do.',
    '',
    markdownTable(
      ['Run', 'First', 'Relay', 'ldapmodify', 'Ratio', 'DC probe ms', 'Relay search s', 'Relay modify s', 'Relay CPU s', 'Relay lead / tail ms', 'DC busy s', 'DC CPU wait s', 'DC idle s'],
      perRun,
    ),
    '',
    `Relay memory (a child process running only the relay and the embedded queue; sampled every 25 ms): peak RSS ` +
      `${mib(peakRss)} (${mib(baseRss)} before the first enqueue), peak heap used ${mib(peakHeap)}; ` +
      `maximum RSS over the process life (getrusage, includes tsx start-up) ${mib(maxRss)}.`,
    '',
    'LDAP calls of the median relay run (wall time inside each ldapts call; one group is worked on one connection, so they do not overlap):',
    '',
    markdownTable(['Operation', 'Calls', 'Time', 'Share of run'], opRows),
    '',
    `Deleting a ${fmt(o.members)}-member group (cleanup, not measured above): median ${fmt(median(r.deleteMs) / 1000, 2)} s.`,
  ].join('\n');
}
