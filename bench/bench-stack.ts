// The local pipeline as the tenant-scale benchmarks run it: the whole local stack (dev/stack/local-stack.ts)
// with the planner's log read for rounds (round-log.ts), table requests counted before Azurite
// (table-count.ts) and the pipeline's other counts (pipeline-counts.ts); plus synced cloud users for the
// bench users in AD.
import { startLocalStack, type LocalStack } from '../dev/stack/local-stack.js';
import type { SambaDc } from '../dev/stack/samba.js';
import { createLogger } from '../shared/logging.js';
import { benchUsersOu, ensureBenchUsers } from './bench-users.js';
import { PipelineCounter } from './pipeline-counts.js';
import { RoundLog, type ProgressRecord } from './round-log.js';
import { startTableCounter, type TableCounter } from './table-count.js';

export interface BenchStack {
  stack: LocalStack;
  rounds: RoundLog;
  counter: PipelineCounter;
  /** keepAd: leave this run's OUs in the DC (a seeded bench DC drops them at its next restore). */
  stop(opts?: { keepAd?: boolean }): Promise<void>;
}

/** `dc`: a DC the caller manages (bench/bench-dc.ts) instead of the shared test DC. */
export async function startBenchStack(name: string, keepDc: boolean, onProgress?: (p: ProgressRecord) => void, dc?: SambaDc): Promise<BenchStack> {
  const rounds = new RoundLog(process.env['LOG_LEVEL'] ?? 'warn', onProgress);
  // info: the planner reports its rounds at info; only warnings and worse reach the terminal.
  const log = createLogger(name, 'info', rounds);
  let tables: TableCounter | null = null;
  const stack = await startLocalStack({
    name,
    log,
    keepDc,
    ...(dc ? { dc } : {}),
    tablesHop: async (azurite) => {
      tables = await startTableCounter(azurite);
      return tables.address;
    },
  });
  const counted = tables as TableCounter | null;
  if (counted === null) throw new Error('the local stack did not route table storage through the counting hop');
  return {
    stack,
    rounds,
    counter: new PipelineCounter(stack, counted),
    async stop(opts: { keepAd?: boolean } = {}) {
      await stack.stop(opts);
      await counted.close();
    },
  };
}

export interface CloudUser {
  id: string;
  sam: string;
  /** DN in AD, lower case (as member values compare). */
  dn: string;
}

/** `count` bench users in AD, each also a synced user in the simulator (its onPremisesSecurityIdentifier is
 *  the AD SID, so the relay finds it). */
export async function syncedUsers(stack: LocalStack, count: number, progress: (line: string) => void, perTransaction?: number): Promise<CloudUser[]> {
  const { users, created, ms } = await ensureBenchUsers(stack.dc, count, {
    progress: (done, missing) => progress(`bench users: ${done} of ${missing} created`),
    ...(perTransaction ? { perTransaction } : {}),
  });
  if (created > 0) progress(`${created} bench users created in ${(ms / 1000).toFixed(0)} s`);
  const ou = benchUsersOu(stack.dc).toLowerCase();
  return users.map((u) => ({
    sam: u.sam,
    dn: `cn=${u.sam},${ou}`,
    id: String(stack.sim.control.createUser({ displayName: u.sam, synced: { securityIdentifier: u.sid, samAccountName: u.sam } })['id']),
  }));
}
