// Benchmark entry point: `npm run bench -- <name|all> [options]` (names in --help). Prints each result as
// markdown and replaces its section in BENCHMARKS.md (unless --no-write).
import path from 'node:path';
import { z } from 'zod';
import { exitWithUsage, parseCommandLine } from '../dev/command-line.js';
import { runBig } from './big.js';
import { CHANGE_KINDS, runLatency, type ChangeKind } from './latency.js';
import { runBurst } from './burst.js';
import { runInitialSync } from './initial-sync.js';
import { runLatencyUnderLoad } from './latency-under-load.js';
import { runMemberThroughput } from './member-throughput.js';
import { runPlannerMemory } from './planner-memory.js';
import { runRelayMemory } from './relay-memory.js';
import { benchCommand, writeSection, BENCHMARKS_FILE } from './report.js';

const HELP = `Usage: npm run bench -- <throughput|latency|big|planner-memory|relay-memory|burst|initial-sync|latency-under-load|all> [options]

throughput   member throughput: a new group of --members synced users written by the relay and by
             ldapmodify (same modifies) against the same Samba DC; ratio, peak memory, LDAP call profile.
  --members N      members of the group (default 20000; the users are created in bulk once and reused)
  --runs N         runs per side, median reported (default 5)
  --chunk N        member values per modify, both sides (default 500, the relay's default)
  --kind K         snapshot (what the planner sends for a new group, default) or upsert

latency      end-to-end latency through the whole local pipeline, one change at a time.
  --per-kind N     changes per kind (default 200)
  --kinds LIST     comma-separated: attribute,member,create (default all three)
  --create-members N   members of each created group (default 3)

big          a new group of --members synced users end to end (Graph simulator -> planner process -> queue ->
             relay process -> AD) against ldapmodify writing the same member values; peak RSS of both processes.
  --members N      members of the group (default 250000; the users are created in bulk once and reused)
  --runs N         runs per side (default 1)
  --chunk N        member values per modify, both sides (default 500, the relay's default)
  --profile DIR    V8 CPU profiles of the planner and relay processes written under DIR, summarised (slower)
  --compiled       run the planner process compiled to JavaScript by tsc (as Azure Functions do), not under tsx
             Runs on its own DC (bench/bench-dc.ts, 127.0.0.2) whose users stay in its directory across runs;
             every side starts from that DC's seed (its users, no group), restored in a few seconds.


planner-memory   the planner's memory for one big group (Graph simulator, Azurite, no DC): a new group,
             a resync of it and a round without token, each with peak RSS, time, Graph calls, table
             operations, messages and bytes. Not part of 'all'.
  --members N      members of the group (default 250000 here)
  --compiled       run the planner compiled to JavaScript by tsc (as Azure Functions do), not under tsx

relay-memory one group of --members (default 1000000 here) through the relay alone, in its own process in
             staging mode (made-up user SIDs: it computes and reports, writes nothing, barely asks the DC);
             peak RSS and time. Not part of 'all'.
  --members N      members of the group

burst        --groups groups written back, then one member added to each within --window-ms, each with its
             own notification: delta rounds, Graph calls per changed group, table requests, executions,
             messages, time until AD equals the cloud.
  --groups N       groups (default 1000)
  --window-ms N    the changes are spread over this long (default 1000; above 1000 the section is
                   burst-spread, so the cost of changes that come one by one stands beside the burst's)

initial-sync --sync-groups groups of --sync-members synced users each in the simulator, the planner's first
             round and the relay write them: time until AD equals the cloud, Graph calls, table requests,
             messages, peak RSS, the planner's progress lines.
  --sync-groups N  groups (default 10000)
  --sync-members N members per group (default 100)
  --sync-users N   synced users the members are drawn from (default 10000; created in AD once)

latency-under-load   a new group of --big-members members is written while single-member changes to other
             groups are made one at a time: p50/p95/p99 latency of those changes.
  --big-members N  members of the big group (default 250000; that many bench users are created in AD once)
  --small-groups N groups the single-member changes go to, round robin (default 10)
  --dc D           bench (default): the big benchmark's own DC (bench/bench-dc.ts, 127.0.0.2), which keeps its
                   bench users across runs (250,000 and more); stopped afterwards unless --keep-dc.
                   shared: the shared test DC (its bench users are created there and last while it runs).

all          throughput, latency and burst (the tenant-scale runs take from minutes to hours: run them by name)

common
  --keep-dc        leave the DC running afterwards (the shared DC keeps its bench users only while it runs)
  --no-write       print only; leave BENCHMARKS.md alone
  --help, -h       this text`;

const intArg = (name: string, min: number) =>
  z.coerce.number().int().min(min, `--${name} must be an integer >= ${min}`);

const optionsSchema = z.object({
  // Defaults differ per benchmark (see HELP).
  members: intArg('members', 1).optional(),
  runs: intArg('runs', 1).optional(),
  chunk: intArg('chunk', 1).max(5000).default(500),
  kind: z.enum(['snapshot', 'upsert']).default('snapshot'),
  'per-kind': intArg('per-kind', 1).default(200),
  kinds: z
    .string()
    .default(CHANGE_KINDS.join(','))
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(['attribute', 'member', 'create'])).min(1)),
  'create-members': intArg('create-members', 1).default(3),
  groups: intArg('groups', 1).default(1000),
  'window-ms': intArg('window-ms', 0).default(1000),
  'sync-groups': intArg('sync-groups', 1).default(10_000),
  'sync-members': intArg('sync-members', 0).default(100),
  'sync-users': intArg('sync-users', 1).default(10_000),
  'big-members': intArg('big-members', 1).default(250_000),
  'small-groups': intArg('small-groups', 1).default(10),
  dc: z.enum(['bench', 'shared']).default('bench'),
  profile: z.string().min(1).optional(),
  'no-write': z.boolean().default(false),
  'keep-dc': z.boolean().default(false),
  compiled: z.boolean().default(false),
});

const BENCHMARKS = ['throughput', 'latency', 'big', 'planner-memory', 'relay-memory', 'burst', 'initial-sync', 'latency-under-load', 'all'];

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    HELP,
    {
      allowPositionals: true,
      options: {
        members: { type: 'string' },
        runs: { type: 'string' },
        chunk: { type: 'string' },
        kind: { type: 'string' },
        'per-kind': { type: 'string' },
        kinds: { type: 'string' },
        'create-members': { type: 'string' },
        groups: { type: 'string' },
        'window-ms': { type: 'string' },
        'sync-groups': { type: 'string' },
        'sync-members': { type: 'string' },
        'sync-users': { type: 'string' },
        'big-members': { type: 'string' },
        'small-groups': { type: 'string' },
        dc: { type: 'string' },
        profile: { type: 'string' },
        'no-write': { type: 'boolean' },
        'keep-dc': { type: 'boolean' },
        compiled: { type: 'boolean' },
      },
    },
    argv,
  );
  const which = positionals[0];
  if (!which) exitWithUsage(HELP, `which benchmark? ${BENCHMARKS.join(', ')}`);
  if (positionals.length > 1 || !BENCHMARKS.includes(which)) {
    exitWithUsage(HELP, `unknown benchmark ${positionals.join(' ')}: ${BENCHMARKS.join(', ')}`);
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => i.message).join('\n'));
    return 2;
  }
  const o = parsed.data;
  const command = benchCommand(argv);
  const progress = (line: string): void => console.error(`[bench] ${line}`);
  const sections: { name: string; markdown: string }[] = [];

  if (which === 'throughput' || which === 'all') {
    const members = o.members ?? 20_000;
    const runs = o.runs ?? 5;
    progress(`member throughput: ${members} members, ${runs} runs per side, chunk ${o.chunk}, ${o.kind}`);
    const r = await runMemberThroughput(
      { members, runs, chunkSize: o.chunk, kind: o.kind, timeoutMs: 15 * 60_000, keepDc: o['keep-dc'], progress },
      command,
    );
    sections.push({ name: 'throughput', markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (which === 'latency' || which === 'all') {
    progress(`latency: ${o['per-kind']} changes per kind (${o.kinds.join(', ')})`);
    const r = await runLatency(
      { perKind: o['per-kind'], kinds: o.kinds as ChangeKind[], createMembers: o['create-members'], changeTimeoutMs: 30_000, keepDc: o['keep-dc'], progress },
      command,
    );
    sections.push({ name: 'latency', markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (which === 'big') {
    const members = o.members ?? 250_000;
    const runs = o.runs ?? 1;
    progress(`big group: ${members} members end to end, ${runs} run(s) per side, chunk ${o.chunk}`);
    const r = await runBig({ members, runs, chunkSize: o.chunk, timeoutMs: 60 * 60_000, keepDc: o['keep-dc'], compiled: o.compiled, progress, ...(o.profile ? { profileDir: path.resolve(o.profile) } : {}) }, command);
    sections.push({ name: 'big', markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (which === 'planner-memory') {
    const members = o.members ?? 250_000;
    progress(`planner memory: ${members} members`);
    const r = await runPlannerMemory({ members, compiled: o.compiled, timeoutMs: 60 * 60_000, progress }, command);
    sections.push({ name: `planner-memory-${members}${o.compiled ? '-compiled' : ''}`, markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (which === 'relay-memory') {
    const members = o.members ?? 1_000_000;
    progress(`relay memory: ${members} members`);
    const r = await runRelayMemory({ members, timeoutMs: 30 * 60_000, keepDc: o['keep-dc'], progress }, command);
    sections.push({ name: 'relay-memory', markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (which === 'burst' || which === 'all') {
    progress(`burst: ${o.groups} groups, one change each within ${o['window-ms']} ms`);
    const r = await runBurst({ groups: o.groups, windowMs: o['window-ms'], timeoutMs: 20 * 60_000, keepDc: o['keep-dc'], progress }, command);
    // A slow spread (changes one by one, each its own round) is kept apart from the burst.
    sections.push({ name: o['window-ms'] <= 1000 ? 'burst' : 'burst-spread', markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (which === 'initial-sync') {
    const size = { groups: o['sync-groups'], membersPerGroup: o['sync-members'], users: o['sync-users'] };
    progress(`initial sync: ${size.groups} groups of ${size.membersPerGroup} members from ${size.users} users`);
    const r = await runInitialSync({ ...size, verifySample: 200, timeoutMs: 60 * 60_000, keepDc: o['keep-dc'], progress }, command);
    sections.push({ name: 'initial-sync', markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (which === 'latency-under-load') {
    progress(`latency under load: a ${o['big-members']}-member group, single-member changes to ${o['small-groups']} other groups, ${o.dc} DC`);
    const r = await runLatencyUnderLoad(
      { bigMembers: o['big-members'], smallGroups: o['small-groups'], dc: o.dc, changeTimeoutMs: 120_000, timeoutMs: 60 * 60_000, keepDc: o['keep-dc'], progress },
      command,
    );
    sections.push({ name: 'latency-under-load', markdown: r.markdown });
    console.log(`${r.markdown}\n`);
  }
  if (!o['no-write']) {
    for (const s of sections) await writeSection(s.name, s.markdown);
    progress(`written to ${BENCHMARKS_FILE}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
