// Latency of single-member changes while a big group is being written: a new group of `bigMembers` synced
// users is created in the Graph simulator (the planner sends it as snapshot parts, the relay writes it for
// many seconds); once the planner has sent it, single-member additions to `smallGroups` other groups are
// made one at a time, each waiting for its own relay result (as bench/latency.ts measures: from the change
// in the simulator to the result's `at`), until the big group's last result arrived. Only changes whose
// result arrived while the big group was still being written count. By default on the big benchmark's own
// DC (bench/bench-dc.ts), which holds the 250,000 and more bench users; `dc: 'shared'` uses the test DC.
import { benchDcSeedUsers, ensureBenchDc, stopBenchDc } from './bench-dc.js';
import { adminClient } from './bench-users.js';
import { deleteBigGroup } from './empty-group.js';
import { startBenchStack, syncedUsers, type CloudUser } from './bench-stack.js';
import { machineInfo, machineLines, markdownTable } from './report.js';
import { fmt, mean, median, percentile } from './stats.js';
import { sleep } from '../shared/timers.js';
import type { ResultMessage } from '../shared/contracts/result-message.js';

export interface LatencyUnderLoadOptions {
  bigMembers: number;
  smallGroups: number;
  /** bench: bench/bench-dc.ts (stopped afterwards unless keepDc); shared: the shared test DC. */
  dc: 'bench' | 'shared';
  /** Give up on one change after this long. */
  changeTimeoutMs: number;
  timeoutMs: number;
  keepDc: boolean;
  progress: (line: string) => void;
}

interface Sample {
  latencyMs: number;
  /** Change -> the relay began on its message (result `at` minus durationMs). */
  relayStartMs: number;
  relayMs: number;
}

interface Figures {
  dc: string;
  bigMembers: number;
  smallGroups: number;
  /** Big group created -> its last result. */
  bigWriteMs: number;
  /** Big group created -> the planner's round that sent it done. */
  bigPlannedMs: number;
  bigMessages: number;
  samples: Sample[];
  /** Changes whose result came after the big group was done (not counted). */
  after: number;
}

export async function runLatencyUnderLoad(opts: LatencyUnderLoadOptions, command: string): Promise<{ markdown: string }> {
  const machine = machineInfo();
  const benchDc = opts.dc === 'bench' ? await ensureBenchDc(opts.progress) : undefined;
  if (benchDc) opts.progress(`bench DC ${benchDc.url} (${benchDc.startedByThisProcess ? 'started' : 'running'})`);
  const bench = await startBenchStack('bench-latency-load', opts.keepDc, undefined, benchDc).catch(async (error: unknown) => {
    if (benchDc && !opts.keepDc) await stopBenchDc(benchDc);
    throw error;
  });
  const { stack, counter, rounds } = bench;
  let bigDn: string | undefined;
  try {
    // Each change adds a user not added before: a pool beside the big group's members.
    const poolSize = Math.max(opts.smallGroups, 1000);
    opts.progress(`local stack up (run OU ${stack.runOu}); preparing ${fmt(opts.bigMembers + poolSize)} synced users`);
    // The bench DC serves nobody else: large transactions, as the big benchmark seeds it.
    const users = await syncedUsers(stack, opts.bigMembers + poolSize, opts.progress, benchDc ? 5000 : undefined);
    const bigUsers = users.slice(0, opts.bigMembers);
    const pool: CloudUser[] = users.slice(opts.bigMembers);
    await stack.subscribe();
    const small = Array.from({ length: opts.smallGroups }, (_, i) => String(stack.sim.control.createGroup({ displayName: `Bench load small ${i}`, kind: 'm365' })['id']).toLowerCase());
    await stack.settle(opts.timeoutMs);
    opts.progress(`${opts.smallGroups} small groups written back; creating the big group of ${fmt(opts.bigMembers)} members`);

    // Results of the big group and of the change being measured.
    let bigAdded = 0;
    let bigMessages = 0;
    let bigDoneAt = 0;
    let waiter: { groupId: string; resolve: (r: ResultMessage) => void } | null = null;
    let bigId = '';
    counter.listeners.push((r) => {
      const id = r.groupId.toLowerCase();
      if (id === bigId) {
        bigDn ??= r.ad?.dn;
        bigAdded += r.membersAdded;
        bigMessages += 1;
        if (bigAdded >= opts.bigMembers && bigDoneAt === 0) bigDoneAt = Date.parse(r.at);
      } else if (waiter && id === waiter.groupId && r.membersAdded > 0) {
        const w = waiter;
        waiter = null;
        w.resolve(r);
      }
    });
    rounds.reset();
    const bigStart = Date.now();
    bigId = String(stack.sim.control.createGroup({ displayName: 'Bench load big', kind: 'm365', members: bigUsers.map((u) => u.id) })['id']).toLowerCase();
    // The planner has sent the big group once a round planned it.
    while (!rounds.rounds.some((r) => r.messagesSent > 0)) {
      if (Date.now() - bigStart > opts.timeoutMs) throw new Error('the planner did not send the big group in time');
      await sleep(20);
    }
    const bigPlannedMs = Date.now() - bigStart;
    opts.progress(`big group sent by the planner after ${fmt(bigPlannedMs / 1000, 1)} s; measuring single-member changes while it is written`);

    const samples: Sample[] = [];
    let after = 0;
    let next = 0;
    while (bigDoneAt === 0) {
      if (Date.now() - bigStart > opts.timeoutMs) throw new Error(`the big group was not written within ${opts.timeoutMs} ms (${fmt(bigAdded)} members added)`);
      const user = pool[next % pool.length]!;
      const groupId = small[next % small.length]!;
      next += 1;
      if (next > pool.length) break; // every pool user added once: more changes would be no-ops
      const result = new Promise<ResultMessage>((resolve, reject) => {
        waiter = { groupId, resolve };
        setTimeout(() => reject(new Error(`no relay result for group ${groupId} within ${opts.changeTimeoutMs} ms`)), opts.changeTimeoutMs).unref();
      });
      const start = Date.now();
      stack.sim.control.addMembers(groupId, [user.id]);
      const r = await result;
      const at = Date.parse(r.at);
      if (bigDoneAt !== 0 && at > bigDoneAt) {
        after += 1;
        break;
      }
      samples.push({ latencyMs: at - start, relayStartMs: at - r.durationMs - start, relayMs: r.durationMs });
      if (samples.length % 50 === 0) opts.progress(`${samples.length} changes measured; big group ${fmt(bigAdded)} of ${fmt(opts.bigMembers)} members`);
    }
    await stack.settle(opts.timeoutMs);
    const figures: Figures = {
      dc: benchDc ? `the benchmarks' own DC (bench/bench-dc.ts, ${benchDc.url})` : `the shared test DC (${stack.dc.url})`,
      bigMembers: opts.bigMembers,
      smallGroups: opts.smallGroups,
      bigWriteMs: bigDoneAt - bigStart,
      bigPlannedMs,
      bigMessages,
      samples,
      after,
    };
    const markdown = render(figures, machineLines(machine, command));
    // Before the clean-up, which takes minutes at this size and must not take the figures with it.
    opts.progress(`figures:\n${markdown}`);
    return { markdown };
  } finally {
    try {
      // Minutes at 250,000 members (empty-group.ts): longer than the stack's own connection waits. Nothing to
      // delete on a bench DC with a seed: its next start (or the big benchmark's next side) begins from the seed,
      // without this run's OUs and groups.
      const seeded = benchDc !== undefined && (await benchDcSeedUsers()) !== undefined;
      if (bigDn !== undefined && !seeded) await deleteGroup(stack.dc, bigDn, opts.progress);
      await bench.stop({ keepAd: seeded });
    } finally {
      if (benchDc && !opts.keepDc) await stopBenchDc(benchDc);
    }
  }
}

async function deleteGroup(dc: Parameters<typeof adminClient>[0], dn: string, progress: (line: string) => void): Promise<void> {
  const admin = await adminClient(dc, 30 * 60_000);
  try {
    const { members, ms } = await deleteBigGroup(admin, dn);
    progress(`big group deleted (${fmt(members)} members removed first) in ${fmt(ms / 1000, 1)} s`);
  } finally {
    await admin.unbind();
  }
}

const medianAndP99 = (xs: number[]): string => `${fmt(median(xs))} / ${fmt(percentile(xs, 99))}`;

function render(f: Figures, header: string): string {
  const lat = f.samples.map((s) => s.latencyMs);
  const p99 = percentile(lat, 99);
  return [
    `## Latency of single-member changes while a ${fmt(f.bigMembers)}-member group is written`,
    '',
    header,
    '',
    [
      `On ${f.dc}: a new group of ${fmt(f.bigMembers)} synced users is created in the Graph simulator; the planner sent it as ${fmt(f.bigMessages)}`,
      `writeback messages ${fmt(f.bigPlannedMs / 1000, 1)} s after its creation and the relay finished it ${fmt(f.bigWriteMs / 1000, 1)} s after its`,
      `creation. From the planner's send until the big group's last result, single-member additions to ${fmt(f.smallGroups)} other groups`,
      '(round robin) were made one at a time, each waiting for its relay result: latency from the change in the simulator to',
      "the result's `at` (stamped after the LDAP write), as the latency benchmark measures. \"Relay start\": the relay began on",
      'the message (result `at` minus its durationMs).',
    ].join(' '),
    '',
    markdownTable(
      ['Changes', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms', 'relay start (median / p99 ms)', 'relay apply (median / p99 ms)'],
      [[fmt(lat.length), fmt(median(lat)), fmt(percentile(lat, 95)), fmt(p99), fmt(Math.max(...lat)), fmt(mean(lat)), medianAndP99(f.samples.map((s) => s.relayStartMs)), medianAndP99(f.samples.map((s) => s.relayMs))]],
    ),
    '',
    `**p99: ${fmt(p99)} ms** -- ${p99 < 1000 ? 'meets' : 'MISSES'} the target (p99 < 1 s)` + (f.samples.length < 100 ? `; only ${f.samples.length} samples: the p99 is their maximum.` : '.'),
  ].join('\n');
}
