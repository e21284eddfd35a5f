// The big-group benchmark's figures and their BENCHMARKS.md section.
import { markdownTable } from './report.js';
import { fmt, median, mib } from './stats.js';
import type { CpuShare } from './cpu-profile.js';
import type { LdapProfile } from './ldap-profile.js';
import type { DcSched } from './dc-schedstat.js';

/** Targets from the issue: end to end within 1.2x ldapmodify's time; each process within 256 MiB. */
export const TIME_RATIO_TARGET = 1.2;
export const RSS_TARGET_BYTES = 256 * 1024 * 1024;

interface SideRun {
  run: number;
  /** This side went first in its run. */
  first: boolean;
  /** Median round trip of a trivial search just before this side started: how busy the shared DC was. */
  probeMs: number;
  ms: number;
  rate: number;
  /** How the DC's process spent this side's time (bench/dc-schedstat.ts); null where not measurable. */
  dc: DcSched | null;
}

export interface ProcessMemory {
  /** Resident set just before the change. */
  baseRss: number;
  /** Highest resident set sampled (every 100 ms) between the change and the group complete. */
  peakRssDuringRun: number;
  /** VmHWM: the process's peak resident set over its life (start-up included). */
  peakRss: number;
}

export interface PipelineRun extends SideRun {
  /** Change -> the relay took the group's session (notification, webhook, planChanges, queue). */
  relayStartMs: number | null;
  results: number;
  outcomes: Record<string, number>;
  ldap: LdapProfile;
  relayCpuMs: number;
  planner: ProcessMemory;
  relay: ProcessMemory;
  /** CPU self time by source over each process's life, when profiled (--profile). */
  cpu?: { planner: CpuShare[]; relay: CpuShare[] };
}

export type LdapmodifyRun = SideRun;

export interface BigResult {
  options: { members: number; runs: number; chunkSize: number; compiled: boolean };
  seeding: { created: number; createMs: number; ms: number };
  pipeline: PipelineRun[];
  ldapmodify: LdapmodifyRun[];
  /** Each side's restore of the DC's seed before it ran (stop, copy, start, OU and account checked). */
  restoreMs: number[];
}

function medianRun(runs: readonly PipelineRun[]): PipelineRun | undefined {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const seconds = (ms: number): string => `${fmt(ms / 1000, 1)} s`;

/** `busy, CPU wait, idle` seconds of the DC during a side. */
function dcFigures(side: SideRun): string {
  if (!side.dc) return 'n/a';
  const idle = Math.max(0, side.ms - side.dc.busyMs - side.dc.cpuWaitMs);
  return [side.dc.busyMs, side.dc.cpuWaitMs, idle].map((ms) => fmt(ms / 1000, 1)).join(', ');
}

/** The profiled run's CPU by source, both processes side by side (top 12 each). */
function cpuLines(run: PipelineRun | undefined): string[] {
  if (!run?.cpu) return [];
  const { planner, relay } = run.cpu;
  const total = (shares: CpuShare[]): number => shares.filter((s) => s.source !== '(idle)').reduce((n, s) => n + s.ms, 0);
  const rows = Array.from({ length: 12 }, (_, i) => [
    planner[i] ? `${planner[i].source}` : '',
    planner[i] ? seconds(planner[i].ms) : '',
    relay[i] ? `${relay[i].source}` : '',
    relay[i] ? seconds(relay[i].ms) : '',
  ]);
  return [
    `CPU profile of that run (V8 --cpu-prof, self time by source over each process's life, start-up included; ` +
      `busy total planner ${seconds(total(planner))}, relay ${seconds(total(relay))}; the profiler slows both down a little):`,
    '',
    markdownTable(['Planner: source', 'Self time', 'Relay: source', 'Self time'], rows),
    '',
  ];
}

export function bigMarkdown(r: BigResult, machine: string): string {
  const { options: o } = r;
  const pipelineMs = median(r.pipeline.map((x) => x.ms));
  const ldapmodifyMs = median(r.ldapmodify.map((x) => x.ms));
  const ratio = pipelineMs / ldapmodifyMs;
  const plannerPeak = Math.max(...r.pipeline.map((x) => x.planner.peakRss));
  const relayPeak = Math.max(...r.pipeline.map((x) => x.relay.peakRss));
  const verdict = (ok: boolean): string => (ok ? 'meets the target' : 'OVER the target');
  const perRun = r.pipeline.map((p) => {
    const l = r.ldapmodify.find((x) => x.run === p.run);
    return [
      String(p.run),
      p.first ? 'pipeline' : 'ldapmodify',
      `${seconds(p.ms)} (${fmt(p.rate)}/s)`,
      p.relayStartMs === null ? 'n/a' : seconds(p.relayStartMs),
      l ? `${seconds(l.ms)} (${fmt(l.rate)}/s)` : 'n/a',
      l ? fmt(p.ms / l.ms, 2) : 'n/a',
      `${fmt(p.probeMs, 1)} / ${l ? fmt(l.probeMs, 1) : 'n/a'}`,
      `${mib(p.planner.baseRss)} / ${mib(p.planner.peakRssDuringRun)} / ${mib(p.planner.peakRss)}`,
      `${mib(p.relay.baseRss)} / ${mib(p.relay.peakRssDuringRun)} / ${mib(p.relay.peakRss)}`,
      fmt(p.relayCpuMs / 1000, 1),
      `${dcFigures(p)} / ${l ? dcFigures(l) : 'n/a'}`,
    ];
  });
  const mid = medianRun(r.pipeline);
  const relayWorkMs = mid && mid.relayStartMs !== null ? mid.ms - mid.relayStartMs : null;
  const ldapMs = Object.values(mid?.ldap ?? {}).reduce((n, op) => n + op.ms, 0);
  const opRows = Object.entries(mid?.ldap ?? {})
    .filter(([, op]) => op.count > 0)
    .sort(([, a], [, b]) => b.ms - a.ms)
    .map(([name, op]) => [name, fmt(op.count), seconds(op.ms), relayWorkMs ? `${fmt((100 * op.ms) / relayWorkMs, 1)} %` : 'n/a']);
  if (relayWorkMs !== null) {
    const outside = Math.max(0, relayWorkMs - ldapMs);
    opRows.push(['(outside LDAP calls: queue, snapshot assembly, validation, JSON)', '', seconds(outside), `${fmt((100 * outside) / relayWorkMs, 1)} %`]);
  }
  const seeding =
    r.seeding.created > 0
      ? `created ${fmt(r.seeding.created)} of them in ${seconds(r.seeding.createMs)} (${fmt(r.seeding.created / (r.seeding.createMs / 1000))} users/s, bulk into the DC's database: bench/seed-users.ts)`
      : `all present from an earlier run (found in ${seconds(r.seeding.ms)})`;
  return [
    '## Big group end to end (250,000-member target)',
    '',
    machine,
    '',
    [
      `A new Microsoft 365 group with ${fmt(o.members)} synced-user members appears in the Graph simulator; the planner`,
      `process (the local Functions host: webhook, planChanges with the real round code, state in Azurite; ${o.compiled ? 'compiled by tsc and run by plain Node, as Azure Functions run it' : 'run under tsx, which compiles the sources in the process'}) plans it and`,
      'sends its snapshot to the queue it serves; the relay process writes it into the DC. Time: the change in the',
      'simulator until the relay sent the result that completes the group (after its last LDAP write); every run is',
      `checked in AD (member count by ranged reads of \`member\`). ldapmodify writes the same \`<SID=...>\` values, ${fmt(o.chunkSize)}`,
      `per modify (the relay's chunk), into a group created beforehand. ${o.runs} run(s) per side, alternating which side`,
      `goes first. The ${fmt(o.members)} AD users: ${seeding}.`,
    ].join(' '),
    '',
    markdownTable(
      ['Figure', 'Measured', 'Target'],
      [
        ['pipeline time (median)', seconds(pipelineMs), ''],
        ['ldapmodify time (median)', seconds(ldapmodifyMs), ''],
        ['pipeline / ldapmodify', `**${fmt(ratio, 2)}**`, `<= ${TIME_RATIO_TARGET}: ${verdict(ratio <= TIME_RATIO_TARGET)}`],
        // In Azure the queue is Service Bus; here the embedded broker lives in the Functions host's process and holds
        // every part of the snapshot (~190 KB each as JSON) until the relay completes the group.
        [
          'planner process peak RSS (Functions host and the embedded queue broker holding the snapshot\'s parts; the planner alone: `planner-memory`)',
          `**${mib(plannerPeak)}**`,
          `<= 256 MiB: ${verdict(plannerPeak <= RSS_TARGET_BYTES)}`,
        ],
        ['relay process peak RSS', `**${mib(relayPeak)}**`, `<= 256 MiB: ${verdict(relayPeak <= RSS_TARGET_BYTES)}`],
      ],
    ),
    '',
    'Per run. "Relay took it" is the change until the relay accepted the group\'s session (notification, webhook,',
    'planChanges reading the members from Graph and sending the snapshot). "DC probe" is the median round trip of a',
    "trivial search before each side (pipeline / ldapmodify): the DC is the benchmark's own but shares the machine. RSS",
    'columns: before the change / highest sampled during the run / VmHWM over the process life. DC: how the DC\'s',
    'process spent each side\'s time (pipeline / ldapmodify; seconds busy on a CPU, runnable but waiting for a CPU the',
    "planner, relay, Azurite or ldapmodify held, idle waiting for a request; from /proc/PID/schedstat).",
    '',
    markdownTable(['Run', 'First', 'Pipeline', 'Relay took it', 'ldapmodify', 'Ratio', 'DC probe ms', 'Planner RSS', 'Relay RSS', 'Relay CPU s', 'DC busy, CPU wait, idle s'], perRun),
    '',
    `LDAP calls of the median pipeline run, from the relay taking the group to the last result (${relayWorkMs === null ? 'n/a' : seconds(relayWorkMs)}):`,
    '',
    markdownTable(['Operation', 'Calls', 'Time', 'Share'], opRows),
    '',
    ...cpuLines(mid),
    `Every side starts from the DC's seed (its bench users, no group): restoring it (stop samba, copy the directory, start, not measured above) took a median ${seconds(median(r.restoreMs))}.`,
  ].join('\n');
}
