// The cloud side offline in one call: Graph simulator + embedded queue + local Functions host, wired so the
// simulator's notification URLs point at the host. Used by `npm run host`, tests and the scenario runner.
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../graph-sim/index.js';
import { trustSimulatorCertificate } from '../graph-sim/trust.js';
import type { EmbeddedBroker } from '../queue/index.js';
import type { TableStore } from '../../shared/ports/table-store.js';
import type { Logger } from '../../shared/logging.js';
import type { PokeRoundSettings } from '../../shared/app/round/poke-round.js';
import { startLocalHost, type LocalHost, type LocalHostOptions } from './local-host.js';
import { createLocalRuntime, type LocalRuntime } from './local-runtime.js';

export interface FunctionsStackOptions {
  sim?: GraphSimulatorOptions;
  /** Use an existing simulator instead of starting one. */
  simulator?: GraphSimulator;
  broker?: EmbeddedBroker;
  /** State tables (Azurite); in memory when absent. */
  tables?: TableStore;
  /** App setting overrides (CLIENT_STATE_SECRET, schedules, queue names...). */
  settings?: Record<string, string>;
  /** The functions' clock (share it with the simulator's `clock` to move both). */
  now?: () => Date;
  log?: Logger;
  /** planChanges' retry schedule and coalescing (tests use short delays). */
  pokeRounds?: PokeRoundSettings;
  host?: Omit<LocalHostOptions, 'runtime'>;
}

export interface FunctionsStack {
  sim: GraphSimulator;
  host: LocalHost;
  runtime: LocalRuntime;
  close(): Promise<void>;
}

export async function startFunctionsStack(opts: FunctionsStackOptions = {}): Promise<FunctionsStack> {
  // https by default: the Graph client only follows absolute @odata links (delta nextLink) on https hosts.
  const sim = opts.simulator ?? (await startGraphSimulator({ tls: true, ...opts.sim }));
  if (sim.caPem !== null) trustSimulatorCertificate(sim.caPem);
  let runtime: LocalRuntime | undefined;
  let host: LocalHost;
  try {
    host = await startLocalHost({
      ...opts.host,
      runtime: async (hostUrl) => {
        runtime = await createLocalRuntime({
          graphBaseUrl: sim.baseUrl,
          tenantId: sim.tenantId,
          hostUrl,
          ...(opts.broker ? { broker: opts.broker } : {}),
          ...(opts.tables ? { tables: opts.tables } : {}),
          ...(opts.settings ? { settings: opts.settings } : {}),
          ...(opts.log ? { log: opts.log } : {}),
          ...(opts.now ? { now: opts.now } : {}),
          ...(opts.pokeRounds ? { pokeRounds: opts.pokeRounds } : {}),
        });
        return runtime;
      },
    });
  } catch (err) {
    if (!opts.simulator) await sim.close();
    throw err;
  }
  const rt = runtime!;
  return {
    sim,
    host,
    runtime: rt,
    async close() {
      await host.close();
      await rt.close();
      if (!opts.simulator) await sim.close();
    },
  };
}
