// Initial sync: the Graph simulator holds `groups` Microsoft 365 groups of `membersPerGroup` synced users
// each (from a pool of `users` bench users), writeback on; the planner's first round (no delta token yet:
// a full round) plans them and the relay writes them all. Measures the time until the planner sent every
// change set and until AD equals the cloud (the last relay result; then checked in AD), Graph calls, table
// requests, queue messages, executions and the peak RSS of the process running the planner (the bench
// process: it also holds the simulator, so the RSS before the round is reported beside the peak).
import { performance } from 'node:perf_hooks';
import { sendPoke } from '../shared/app/intake/pokes.js';
import { differences, readGroupMembers, readWrittenGroups } from './ad-groups.js';
import { startBenchStack, syncedUsers } from './bench-stack.js';
import { countRows, type PipelineCounts } from './pipeline-counts.js';
import { machineInfo, machineLines, markdownTable } from './report.js';
import type { ProgressRecord, RoundRecord } from './round-log.js';
import { fmt, mib } from './stats.js';

export interface InitialSyncOptions {
  groups: number;
  membersPerGroup: number;
  users: number;
  /** Groups whose members are compared in AD (every group is checked to exist). */
  verifySample: number;
  timeoutMs: number;
  keepDc: boolean;
  progress: (line: string) => void;
}

interface InitialSyncFigures {
  /** Groups missing in AD. */
  missing: number;
  /** Groups whose members were compared. */
  verified: number;
  groups: number;
  membersPerGroup: number;
  users: number;
  /** Poke sent -> the last round done (every change set sent). */
  plannedMs: number;
  /** Poke sent -> the last relay result's `at`. */
  untilAdMs: number;
  counts: PipelineCounts;
  rounds: RoundRecord[];
  progress: ProgressRecord[];
  startedAt: number;
  rssBefore: number;
  rssPeak: number;
  heapPeak: number;
  adDifferences: { count: number; examples: string[] };
  membersAdded: number;
}

/** Samples this process's memory until stopped. */
function memorySampler(intervalMs: number): { stop: () => { rssPeak: number; heapPeak: number } } {
  let rssPeak = 0;
  let heapPeak = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssPeak, heapPeak };
    },
  };
}

export async function runInitialSync(opts: InitialSyncOptions, command: string): Promise<{ markdown: string }> {
  const machine = machineInfo();
  let roundStart = 0;
  const onProgress = (p: ProgressRecord): void => {
    const s = (p.at - roundStart) / 1000;
    opts.progress(`planner: ${fmt(p.planned)} of ${fmt(p.of)} groups planned, ${fmt(p.messages)} messages sent (${fmt(p.planned / s)} groups/s since the poke)`);
  };
  const bench = await startBenchStack('bench-initial-sync', opts.keepDc, onProgress);
  const { stack, counter, rounds } = bench;
  try {
    opts.progress(`local stack up (run OU ${stack.runOu}); preparing ${fmt(opts.users)} synced users`);
    const users = await syncedUsers(stack, opts.users, opts.progress);
    const groupIds: string[] = [];
    const expected = new Map<string, Set<string>>();
    for (let i = 0; i < opts.groups; i += 1) {
      const members = Array.from({ length: opts.membersPerGroup }, (_, k) => users[(i * opts.membersPerGroup + k) % users.length]!);
      const id = String(stack.sim.control.createGroup({ displayName: `Bench sync ${i}`, kind: 'm365', members: members.map((u) => u.id) })['id']).toLowerCase();
      groupIds.push(id);
      expected.set(id, new Set(members.map((u) => u.dn)));
    }
    const memberships = [...expected.values()].reduce((n, s) => n + s.size, 0);
    opts.progress(`${fmt(opts.groups)} groups with ${fmt(memberships)} memberships in the simulator; first round`);
    // No subscription: its creation pokes a round, and this one must start with the measurement.
    await stack.settle(opts.timeoutMs);
    counter.reset();
    rounds.reset();
    let lastAt = 0;
    let membersAdded = 0;
    counter.listeners.push((r) => {
      lastAt = Math.max(lastAt, Date.parse(r.at));
      membersAdded += r.membersAdded;
    });

    const rssBefore = process.memoryUsage().rss;
    const sampler = memorySampler(200);
    const t0 = Date.now();
    roundStart = t0;
    const started = performance.now();
    // The first round of a tenant: no delta token yet, so the planner runs a full round whatever the reason.
    await sendPoke(stack.runtime.sender(stack.runtime.config.GRAPH_CHANGES_QUEUE), stack.tenantId, 'notification', new Date());
    await stack.settle(opts.timeoutMs);
    const { rssPeak, heapPeak } = sampler.stop();
    opts.progress(`pipeline settled after ${fmt((performance.now() - started) / 1000)} s; checking AD`);
    const counts = counter.snapshot();
    const present = await readWrittenGroups(stack.ad, stack.writebackOu, groupIds, false);
    const missing = groupIds.filter((id) => !present.has(id)).length;
    // Every n-th group: a spread sample across the id order the planner worked in.
    const stride = Math.max(1, Math.floor(groupIds.length / opts.verifySample));
    const sample = groupIds.filter((_, i) => i % stride === 0).slice(0, opts.verifySample);
    const adDifferences = differences(await readGroupMembers(stack.ad, stack.writebackOu, sample), new Map(sample.map((id) => [id, expected.get(id)!])));
    const roundList = [...rounds.rounds];
    const figures: InitialSyncFigures = {
      groups: opts.groups,
      membersPerGroup: opts.membersPerGroup,
      users: opts.users,
      plannedMs: (roundList.at(-1)?.at ?? t0) - t0,
      untilAdMs: lastAt - t0,
      counts,
      rounds: roundList,
      progress: [...rounds.progress],
      startedAt: t0,
      rssBefore,
      rssPeak,
      heapPeak,
      adDifferences,
      missing,
      verified: sample.length,
      membersAdded,
    };
    return { markdown: renderInitialSync(figures, machineLines(machine, command)) };
  } finally {
    await bench.stop();
  }
}

function renderInitialSync(f: InitialSyncFigures, header: string): string {
  const c = f.counts;
  const memberships = f.groups * f.membersPerGroup;
  const since = (at: number): string => fmt((at - f.startedAt) / 1000, 1);
  const roundRows = f.rounds.map((r, i) => [String(i + 1), since(r.planningAt), since(r.at), r.mode, r.reason, fmt(r.groupsInDelta), fmt(r.groupsPlanned), fmt(r.messagesSent), fmt(r.deltaPages)]);
  const exec = [...c.executions].map(([name, n]) => `${name} ${fmt(n)}`).join(', ');
  // A few progress lines: the first, every ~quarter, the last.
  const step = Math.max(1, Math.floor(f.progress.length / 4));
  const progressLines = f.progress.filter((_, i) => i === 0 || i % step === 0 || i === f.progress.length - 1);
  return [
    `## Initial sync (${fmt(f.groups)} groups, ${fmt(memberships)} memberships)`,
    '',
    header,
    '',
    [
      `The Graph simulator holds ${fmt(f.groups)} Microsoft 365 groups of ${fmt(f.membersPerGroup)} synced users each (drawn in turn from`,
      `${fmt(f.users)} bench users, so every user is in ${fmt(memberships / f.users)} groups), writeback on, no delta token yet. One poke`,
      'starts the first round (a full round, as for a new tenant); the relay writes every group. Counted from the poke until',
      "the pipeline settled; \"until AD equals the cloud\" ends at the last relay result's `at`; then every group is checked",
      'to exist in AD and a sample of groups to have exactly the cloud members (Samba answers member values slowly: about a',
      'minute per 100,000 on a busy DC).',
    ].join(' '),
    '',
    markdownTable(
      ['Figure', 'Value'],
      [
        ['Until the planner sent every change set', `${fmt(f.plannedMs / 1000, 1)} s`],
        ['Until AD equals the cloud', `${fmt(f.untilAdMs / 1000, 1)} s (${fmt(memberships / (f.untilAdMs / 1000))} memberships/s)`],
        ['Rounds', fmt(f.rounds.length)],
        ['Graph HTTP requests / inside $batch', `${fmt(c.graphHttp)} / ${fmt(c.graphInBatch)}`],
        ['Table requests', `${fmt(c.tableRequests)} (${fmt(c.tableRequests / f.groups, 1)} per group); of them entity group transactions ${fmt(c.tableBatches)}`],
        ['Writeback messages (= result messages)', `${fmt(c.writebackMessages)} (members added by the relay: ${fmt(f.membersAdded)})`],
        ['Queue-triggered Functions executions', exec],
        ['Peak RSS of the planner process (bench process: also the simulator, queue and Functions host)', `${mib(f.rssPeak)}; ${mib(f.rssBefore)} before the poke (simulator loaded), so ${mib(f.rssPeak - f.rssBefore)} for the round; peak heap ${mib(f.heapPeak)}`],
        ['Groups missing in AD afterwards', fmt(f.missing)],
        [`Groups whose members differ in AD (of ${fmt(f.verified)} compared, spread over all)`, f.adDifferences.count === 0 ? '0' : `${fmt(f.adDifferences.count)}: ${f.adDifferences.examples.join('; ')}`],
      ],
    ),
    '',
    'Rounds (seconds after the poke; "planning from": the delta and group reads were done):',
    '',
    markdownTable(['Round', 'Planning from (s)', 'Done (s)', 'Mode', 'Reason', 'Groups in delta', 'Groups planned', 'Messages sent', 'Delta pages'], roundRows),
    '',
    'Progress as the planner logs it (`delta round progress`, every 200 groups), a few of the lines:',
    '',
    markdownTable(['s after the poke', 'Planned', 'Of', 'Messages sent'], progressLines.map((p) => [since(p.at), fmt(p.planned), fmt(p.of), fmt(p.messages)])),
    '',
    'Graph calls by kind:',
    '',
    markdownTable(['Request', 'Count'], countRows(c.graphByKind)),
    '',
    'Table requests by kind:',
    '',
    markdownTable(['Request', 'Count'], countRows(c.tableByKind)),
  ].join('\n');
}
