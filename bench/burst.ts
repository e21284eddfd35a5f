// Burst: `groups` groups already written back, then one member added to each of them in the Graph simulator
// within `windowMs`, each change in its own tick so each sends its own notification POST. Counts the delta
// rounds the planner ran (its log), Graph calls by kind and per changed group, table requests, Functions
// executions and queue messages, and measures the time from the first change until AD equals the cloud
// (the last relay result; then checked in AD).
import { performance } from 'node:perf_hooks';
import { sleep } from '../shared/timers.js';
import { differences, readWrittenGroups } from './ad-groups.js';
import { startBenchStack, syncedUsers } from './bench-stack.js';
import { costTable, perChange, PRICES_ASSUMED } from './cost.js';
import { countRows, type PipelineCounts } from './pipeline-counts.js';
import { machineInfo, machineLines, markdownTable } from './report.js';
import type { RoundRecord } from './round-log.js';
import { fmt } from './stats.js';

export interface BurstOptions {
  groups: number;
  windowMs: number;
  timeoutMs: number;
  keepDc: boolean;
  progress: (line: string) => void;
}

interface BurstFigures {
  groups: number;
  windowMs: number;
  /** First change -> last change made. */
  spreadMs: number;
  /** When the first change was made (epoch ms). */
  startedAt: number;
  /** The first relay result of the burst (epoch ms). */
  firstResultAt: number;
  /** The last poke handled without a round (epoch ms). */
  lastCoalescedAt: number;
  /** First change -> the last relay result's `at` (AD written). */
  untilAdMs: number;
  counts: PipelineCounts;
  rounds: RoundRecord[];
  servedPokes: number;
  deferredPokes: number;
  setupMs: number;
  adDifferences: { count: number; examples: string[] };
}

export async function runBurst(opts: BurstOptions, command: string): Promise<{ markdown: string }> {
  const machine = machineInfo();
  const bench = await startBenchStack('bench-burst', opts.keepDc);
  const { stack, counter, rounds } = bench;
  try {
    const setupStart = performance.now();
    opts.progress(`local stack up (run OU ${stack.runOu}); preparing ${opts.groups} synced users`);
    const users = await syncedUsers(stack, opts.groups, opts.progress);
    await stack.subscribe();
    const groupIds: string[] = [];
    for (let i = 0; i < opts.groups; i += 1) {
      groupIds.push(String(stack.sim.control.createGroup({ displayName: `Bench burst ${i}`, kind: 'm365' })['id']).toLowerCase());
    }
    opts.progress(`${opts.groups} groups created in the simulator; waiting until they are written back`);
    await stack.settle(opts.timeoutMs);
    const before = await readWrittenGroups(stack.ad, stack.writebackOu, groupIds);
    if (before.size !== opts.groups) throw new Error(`setup: ${before.size} of ${opts.groups} groups were written back`);
    const setupMs = performance.now() - setupStart;
    opts.progress(`groups written back in ${fmt(setupMs / 1000)} s; burst of ${opts.groups} member additions within ${opts.windowMs} ms`);

    counter.reset();
    rounds.reset();
    const pending = new Set(groupIds);
    let lastAt = 0;
    let allDone!: () => void;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    counter.listeners.push((r) => {
      const id = r.groupId.toLowerCase();
      if (r.outcome !== 'applied' || r.membersAdded === 0 || !pending.delete(id)) return;
      lastAt = Math.max(lastAt, Date.parse(r.at));
      if (pending.size === 0) allDone();
    });

    // Graph batches notifications of one moment into one POST; here every change sends its own.
    stack.sim.control.setDeliveryOptions({ batch: false });
    const t0 = Date.now();
    for (let i = 0; i < opts.groups; ) {
      // Every change due by now (evenly spread over the window), then the next millisecond.
      while (i < opts.groups && t0 + (i * opts.windowMs) / opts.groups <= Date.now()) {
        stack.sim.control.addMembers(groupIds[i]!, [users[i]!.id]);
        i += 1;
      }
      if (i < opts.groups) await sleep(1);
    }
    const spreadMs = Date.now() - t0;
    let firstResultAt = Number.POSITIVE_INFINITY;
    counter.listeners.push((r) => (firstResultAt = Math.min(firstResultAt, Date.parse(r.at))));
    const timeout = sleep(opts.timeoutMs).then(() => 'timeout' as const);
    if ((await Promise.race([done.then(() => 'done' as const), timeout])) === 'timeout') {
      throw new Error(`${pending.size} of ${opts.groups} groups had no relay result within ${opts.timeoutMs} ms; in flight: ${stack.inFlight().join('; ')}`);
    }
    await stack.settle(opts.timeoutMs);
    const counts = counter.snapshot();
    const expected = new Map(groupIds.map((id, i) => [id, new Set([users[i]!.dn])]));
    const adDifferences = differences(await readWrittenGroups(stack.ad, stack.writebackOu, groupIds), expected);
    const figures: BurstFigures = {
      groups: opts.groups,
      windowMs: opts.windowMs,
      spreadMs,
      startedAt: t0,
      firstResultAt,
      lastCoalescedAt: rounds.lastCoalescedAt,
      untilAdMs: lastAt - t0,
      counts,
      rounds: [...rounds.rounds],
      servedPokes: rounds.servedPokes,
      deferredPokes: rounds.deferredPokes,
      setupMs,
      adDifferences,
    };
    return { markdown: renderBurst(figures, machineLines(machine, command)) };
  } finally {
    await bench.stop();
  }
}

function renderBurst(f: BurstFigures, header: string): string {
  const c = f.counts;
  const perGroup = (n: number): string => fmt(n / f.groups, 2);
  const graphCalls = c.graphHttp;
  const deltaRounds = f.rounds.length;
  const since = (at: number): string => fmt((at - f.startedAt) / 1000, 1);
  const roundRows = f.rounds.map((r, i) => [String(i + 1), since(r.planningAt), since(r.at), r.mode, r.reason, fmt(r.groupsInDelta), fmt(r.groupsPlanned), fmt(r.messagesSent), fmt(r.deltaPages)]);
  const exec = [...c.executions].map(([name, n]) => `${name} ${fmt(n)}`).join(', ');
  const allGraph = graphCalls + c.graphInBatch;
  const meets = deltaRounds <= 10 && allGraph / f.groups <= 2 && f.adDifferences.count === 0;
  return [
    `## Burst (${fmt(f.groups)} changes to ${fmt(f.groups)} groups within ${fmt(f.windowMs / 1000, 1)} s)`,
    '',
    header,
    '',
    [
      `${fmt(f.groups)} groups already written back (setup ${fmt(f.setupMs / 1000)} s, not measured), then one synced-user member`,
      `added to each of them in the Graph simulator within ${fmt(f.windowMs)} ms (made over ${fmt(f.spreadMs)} ms), each change in its own`,
      'tick so each sends its own notification POST. Counted from the first change until the pipeline settled; "until AD',
      "equals the cloud\" ends at the last relay result's `at` (stamped after its LDAP write), then every group is checked in AD.",
    ].join(' '),
    '',
    markdownTable(
      ['Figure', 'Value'],
      [
        ['Notification POSTs (webhook executions)', `${fmt(c.webhookCalls)}, of them ${fmt(c.webhookFailures)} not answered 2xx within 3 s (retried, as Graph does)`],
        ['Delta rounds', fmt(deltaRounds)],
        ['Pokes served by a later round / deferred to the follow-up round', `${fmt(f.servedPokes)} / ${fmt(f.deferredPokes)}`],
        ['Graph HTTP requests (per changed group)', `${fmt(graphCalls)} (${perGroup(graphCalls)})`],
        ['Graph requests inside $batch (per changed group)', `${fmt(c.graphInBatch)} (${perGroup(c.graphInBatch)})`],
        ['Table requests (per changed group)', `${fmt(c.tableRequests)} (${perGroup(c.tableRequests)}); of them entity group transactions ${fmt(c.tableBatches)}`],
        ['Queue-triggered Functions executions', exec],
        ['Writeback messages (= result messages)', fmt(c.writebackMessages)],
        ['Time until AD equals the cloud', `${fmt(f.untilAdMs / 1000, 1)} s`],
        ['Groups differing in AD afterwards', f.adDifferences.count === 0 ? '0' : `${fmt(f.adDifferences.count)}: ${f.adDifferences.examples.join('; ')}`],
      ],
    ),
    '',
    `Timeline in seconds after the first change: last change made ${since(f.startedAt + f.spreadMs)}; last poke coalesced ${since(f.lastCoalescedAt)}; first relay result ${since(f.firstResultAt)}; last relay result ${since(f.startedAt + f.untilAdMs)}.`,
    '',
    'Delta rounds ("planning from": the delta and group reads were done):',
    '',
    markdownTable(['Round', 'Planning from (s)', 'Done (s)', 'Mode', 'Reason', 'Groups in delta', 'Groups planned', 'Messages sent', 'Delta pages'], roundRows),
    '',
    'Graph calls by kind (HTTP requests and requests inside $batch):',
    '',
    markdownTable(['Request', 'Count'], countRows(c.graphByKind)),
    '',
    'Table requests by kind:',
    '',
    markdownTable(['Request', 'Count'], countRows(c.tableByKind)),
    '',
    `What 1,000,000 changes like these cost in Azure (counts of this run per change; list prices, ${PRICES_ASSUMED.region}, looked up ${PRICES_ASSUMED.date}; the fixed monthly charges and execution time are not in it: BENCHMARKS.md, "Cost"):`,
    '',
    costTable(perChange(c, f.groups), 1_000_000),
    '',
    `**${fmt(deltaRounds)} delta rounds, ${perGroup(allGraph)} Graph calls per changed group** (HTTP requests and requests inside $batch together) -- ` +
      (f.windowMs <= 1000
        ? `${meets ? 'meets' : 'MISSES'} the targets (<= 10 rounds, <= 2 Graph calls per changed group, AD equal to the cloud).`
        : 'changes spread over more than a second may each run their own round: the burst targets are not judged here.'),
  ].join('\n');
}
