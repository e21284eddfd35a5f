// Benchmark entry point: `npm run bench -- <throughput|latency|big|all> [options]`. Prints each result as
// markdown and replaces its section in BENCHMARKS.md (unless --no-write).
import path from 'node:path';
import { z } from 'zod';
import { exitWithUsage, parseCommandLine } from '../dev/command-line.js';
import { runBig } from './big.js';
import { CHANGE_KINDS, runLatency, type ChangeKind } from './latency.js';
import { runMemberThroughput } from './member-throughput.js';
import { benchCommand, writeSection, BENCHMARKS_FILE } from './report.js';

const HELP = `Usage: npm run bench -- <throughput|latency|big|all> [options]

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
             Runs on its own DC (bench/bench-dc.ts, 127.0.0.2) whose users stay in its directory across runs.

all          throughput and latency (not big).

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
  profile: z.string().min(1).optional(),
  'no-write': z.boolean().default(false),
  'keep-dc': z.boolean().default(false),
});

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
        profile: { type: 'string' },
        'no-write': { type: 'boolean' },
        'keep-dc': { type: 'boolean' },
      },
    },
    argv,
  );
  const which = positionals[0];
  if (!which) exitWithUsage(HELP, 'which benchmark? throughput, latency, big or all');
  if (positionals.length > 1 || !['throughput', 'latency', 'big', 'all'].includes(which)) {
    exitWithUsage(HELP, `unknown benchmark ${positionals.join(' ')}: throughput, latency, big or all`);
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
    const r = await runBig({ members, runs, chunkSize: o.chunk, timeoutMs: 60 * 60_000, keepDc: o['keep-dc'], progress, ...(o.profile ? { profileDir: path.resolve(o.profile) } : {}) }, command);
    sections.push({ name: 'big', markdown: r.markdown });
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
