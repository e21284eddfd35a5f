// The planner side of the planner-memory benchmark, in its own process so its memory is the planner's alone:
// delta rounds as planChanges runs them (real Graph client against the simulator, tables on Azurite, the
// writeback queue of the parent's broker over loopback: dev/queue/remote-server.ts). A first round takes the
// delta token; the parent then creates the big group and the child runs, each measured on its own: the round
// that sees the new group (snapshot), an admin's resync of that group, and a round without token (as after a
// lost token or a settings change). Input: a JSON file named by argv[2]; the parent's go-ahead: a line on stdin.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createGraphClient } from '../shared/adapters/graph/client.js';
import { GraphDirectoryReader } from '../shared/adapters/graph/directory.js';
import { createAzureTableStore } from '../shared/adapters/tables/index.js';
import type { DeltaRoundDeps } from '../shared/app/round/round-deps.js';
import { runDeltaRound, type RoundRequest } from '../shared/app/round/run-round.js';
import { createLogger } from '../shared/logging.js';
import { tableGroupStatusStore } from '../shared/state/group-status-table.js';
import { createPlannerStore } from '../shared/state/planner-store.js';
import { RemoteQueueClient } from '../dev/queue/remote-client.js';
import { countGraphCalls, countSent, countTableOps, type Counts, type SentCounters } from './planner-counters.js';
import { plannerChildInputSchema, READY_LINE, RESULT_PREFIX, type PlannerChildOutput, type PlannerPhase } from './planner-memory-protocol.js';
import { sampleMemory } from './memory-sampler.js';

/** What `now` counted since `before` was copied from it. */
const since = (before: Counts, now: Counts): Counts =>
  Object.fromEntries(Object.entries(now).flatMap(([k, n]) => (n > (before[k] ?? 0) ? [[k, n - (before[k] ?? 0)]] : [])));

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: planner-memory-child.ts INPUT.json');
  const input = plannerChildInputSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const graph = countGraphCalls(new URL(input.graphBaseUrl).origin);
  const tableOps: Counts = {};
  const sent: SentCounters = { messages: 0, bytes: 0, kinds: {} };
  const tables = countTableOps(createAzureTableStore({ connectionString: input.tableConnectionString }), tableOps);
  const queue = new RemoteQueueClient(input.queueUrl);
  // Progress lines of long reads go to stderr, where the parent shows the last of them on failure.
  const log = createLogger('bench-planner', process.env['LOG_LEVEL'] ?? 'warn');
  const deps: DeltaRoundDeps = {
    tenantId: input.tenantId,
    directory: new GraphDirectoryReader(createGraphClient({ baseUrl: input.graphBaseUrl }), { baseUrl: input.graphBaseUrl, log }),
    store: createPlannerStore(tables),
    writeback: countSent(queue.sender('writeback'), sent),
    pokes: queue.sender('graph-changes'),
    statuses: tableGroupStatusStore(tables),
    log,
    now: () => new Date(),
  };

  await runDeltaRound(deps, { mode: 'delta' }); // the token; the tenant has no group yet
  process.stdout.write(`${READY_LINE}\n`);
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();

  const phases: PlannerPhase[] = [];
  const measure = async (name: string, request: RoundRequest): Promise<void> => {
    const before = { calls: { ...graph.calls }, batched: { ...graph.batched }, tableOps: { ...tableOps }, kinds: { ...sent.kinds }, messages: sent.messages, bytes: sent.bytes };
    const memory = sampleMemory();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await runDeltaRound(deps, request);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const peaks = memory.stop();
    if (report.groupsPlanned !== 1) throw new Error(`${name}: planned ${report.groupsPlanned} groups, expected the one`);
    phases.push({
      name,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      ...peaks,
      graphCalls: since(before.calls, graph.calls),
      batchedRequests: since(before.batched, graph.batched),
      tableOps: since(before.tableOps, tableOps),
      messages: sent.messages - before.messages,
      messageBytes: sent.bytes - before.bytes,
      messagesByKind: since(before.kinds, sent.kinds),
    });
  };
  await measure('new group (delta round)', { mode: 'delta' });
  await measure('resync of the group', { mode: 'full', groupIds: [input.groupId] });
  await measure('round without token', { mode: 'full' });
  await queue.close();
  const output: PlannerChildOutput = { phases, maxRss: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  if (error instanceof Error && error.cause !== undefined) console.error('cause:', error.cause);
  process.exit(1);
});
