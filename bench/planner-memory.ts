// Planner memory for a big group: the Graph simulator (in this process) holds a group of N synced users (each
// with onPremisesSecurityIdentifier), and the planner runs its delta rounds in a child process
// (planner-memory-child.ts) whose RSS is sampled alone, with its tables on Azurite and the writeback queue of an
// embedded broker served over loopback. Reported per phase: peak RSS, time, Graph calls by kind, table
// operations, messages and bytes sent. Targets (docs/planner.md, "Big groups"): peak RSS <= 256 MiB at 250,000
// members, <= 512 MiB at 1,000,000.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGraphSimulator } from '../dev/graph-sim/index.js';
import { EmbeddedBroker } from '../dev/queue/index.js';
import { startRemoteQueueServer } from '../dev/queue/remote-server.js';
import { peerUserId } from '../dev/stack/peer-users.js';
import { ensureAzurite, stopAzuriteIfStartedByRun } from '../dev/stack/azurite.js';
import { silentLogger } from '../shared/logging.js';
import { compileBenchChild } from './planner-memory-build.js';
import { machineInfo, machineLines, markdownTable } from './report.js';
import { fmt } from './stats.js';
import {
  plannerChildOutputSchema,
  READY_LINE,
  RESULT_PREFIX,
  type PlannerChildInput,
  type PlannerChildOutput,
  type PlannerPhase,
} from './planner-memory-protocol.js';
import type { Counts } from './planner-counters.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Items (groups and member changes) per delta page of the simulator: bigger than its default so the
 *  simulator's own paging does not dominate a million-member round. */
const DELTA_PAGE_ITEMS = 1000;

export interface PlannerMemoryOptions {
  members: number;
  /** Run the child compiled to JavaScript (as Azure Functions run the planner) instead of under tsx. */
  compiled: boolean;
  timeoutMs: number;
  progress: (line: string) => void;
}

const mib = (bytes: number): string => `${fmt(bytes / 1024 ** 2, 0)} MiB`;
const list = (c: Counts): string =>
  Object.entries(c)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';
const total = (c: Counts): number => Object.values(c).reduce((a, n) => a + n, 0);

/** Runs the child; calls `ready` once it has its delta token and sends it the go-ahead when that resolves. */
function runChild(childArgs: readonly string[], inputFile: string, timeoutMs: number, ready: () => void): Promise<PlannerChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...childArgs, inputFile], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let started = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!started && stdout.includes(`${READY_LINE}\n`)) {
        started = true;
        ready();
        child.stdin.end('go\n');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`planner child failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`));
        return;
      }
      resolve(plannerChildOutputSchema.parse(JSON.parse(line.slice(RESULT_PREFIX.length))));
    });
  });
}

function phaseRow(p: PlannerPhase): string[] {
  return [
    p.name,
    mib(p.peakRss),
    mib(p.baseRss),
    `${mib(p.peakHeap)} (${mib(p.baseHeap)} before)`,
    `${fmt(p.ms / 1000, 1)} s`,
    `${fmt(p.cpuMs / 1000, 1)} s`,
    String(total(p.graphCalls)),
    String(total(p.tableOps)),
    String(p.messages),
    mib(p.messageBytes),
  ];
}

function markdown(opts: PlannerMemoryOptions, out: PlannerChildOutput, command: string, setupMs: number): string {
  const details = out.phases.map(
    (p) =>
      `- ${p.name}: Graph calls ${list(p.graphCalls)}; inside \`$batch\`: ${list(p.batchedRequests)}; table operations ${list(p.tableOps)}; messages ${list(p.messagesByKind)}.`,
  );
  return [
    `## Planner memory (${opts.members.toLocaleString('en-US')} members, ${opts.compiled ? 'compiled JavaScript' : 'tsx'})`,
    '',
    machineLines(machineInfo(), command),
    `- Setup: Graph simulator in the benchmark process (delta pages of ${DELTA_PAGE_ITEMS} items, members pages of 999), ` +
      `${opts.members.toLocaleString('en-US')} synced users created in ${fmt(setupMs / 1000, 1)} s; the planner in its own Node process ` +
      `(\`bench/planner-memory-child.ts\`, ${opts.compiled ? 'compiled by tsc to JavaScript and run by plain Node, as Azure Functions run it' : 'run under tsx, which compiles the sources in the process'}), ` +
      'tables on Azurite, writeback queue: embedded broker over loopback.',
    '',
    markdownTable(['phase', 'peak RSS', 'RSS before', 'peak heap', 'time', 'CPU', 'Graph calls', 'table ops', 'messages', 'message bytes'], out.phases.map(phaseRow)),
    '',
    ...details,
    `- Maximum RSS over the child's life (getrusage, includes ${opts.compiled ? 'Node' : 'tsx'} start-up): ${mib(out.maxRss)}.`,
  ].join('\n');
}

export async function runPlannerMemory(opts: PlannerMemoryOptions, command: string): Promise<{ markdown: string; output: PlannerChildOutput }> {
  const log = silentLogger();
  const sim = await startGraphSimulator({ tenantId: randomUUID(), pageSize: DELTA_PAGE_ITEMS, log });
  const broker = new EmbeddedBroker({ queues: { writeback: { requiresSession: true }, 'graph-changes': { requiresSession: true } } });
  const server = await startRemoteQueueServer(broker.client(), log);
  const azurite = await ensureAzurite({ log });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-planner-'));
  try {
    const t0 = Date.now();
    const memberIds: string[] = [];
    for (let i = 0; i < opts.members; i += 1) {
      memberIds.push(String(sim.control.createUser({ displayName: `Bench user ${i}`, synced: true })['id']));
      if ((i + 1) % 100_000 === 0) opts.progress(`${i + 1} users in the simulator`);
    }
    const setupMs = Date.now() - t0;
    const groupId = randomUUID();
    const input: PlannerChildInput = {
      graphBaseUrl: sim.baseUrl,
      tenantId: sim.tenantId,
      tableConnectionString: azurite.connectionString,
      queueUrl: server.url,
      groupId,
      members: opts.members,
    };
    const inputFile = path.join(dir, 'input.json');
    await writeFile(inputFile, JSON.stringify(input));
    const childArgs = opts.compiled ? [await compileBenchChild(ROOT, dir, 'planner-memory-child.ts')] : ['--import', 'tsx', path.join(ROOT, 'bench', 'planner-memory-child.ts')];
    const output = await runChild(childArgs, inputFile, opts.timeoutMs, () => {
      sim.control.createGroup({ id: groupId, displayName: 'Bench big group', kind: 'security', writebackConfiguration: { isEnabled: true }, members: memberIds });
      opts.progress(`group ${groupId} with ${opts.members} members created; the planner runs`);
    });
    return { markdown: markdown(opts, output, command, setupMs), output };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await server.close();
    await sim.close();
    await stopAzuriteIfStartedByRun(peerUserId());
  }
}
