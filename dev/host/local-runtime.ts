// A CloudRuntime for the local host and tests: the embedded queue (Service Bus semantics), the Graph
// simulator through the real Graph client, and a TableStore (Azurite, or in memory when none is given).
import { randomBytes } from 'node:crypto';
import { assembleRuntime, type CloudRuntime } from '../../functions/runtime.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { appQueueOptions, EmbeddedBroker } from '../queue/index.js';
import type { SentLog } from '../queue/sent-log.js';
import { MemoryTableStore } from '../tables/memory-table-store.js';
import { LOCAL_ADMIN_AUDIENCE } from '../graph-sim/entra.js';
import { cloudConfigSchema, type CloudConfig } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import type { TableStore } from '../../shared/ports/table-store.js';
import type { PokeRoundSettings } from '../../shared/app/round/poke-round.js';

export interface LocalRuntimeOptions {
  /** Graph simulator origin, e.g. http://127.0.0.1:PORT. */
  graphBaseUrl: string;
  tenantId: string;
  /** Where the local host listens (notification URLs point here). */
  hostUrl: string;
  broker?: EmbeddedBroker;
  tables?: TableStore;
  /** Overrides of app settings (e.g. CLIENT_STATE_SECRET_PREVIOUS). */
  settings?: Record<string, string>;
  log?: Logger;
  now?: () => Date;
  /** Remembers what the app sends to its queues (scenario `replay`). */
  sentLog?: SentLog;
  /** planChanges' retry schedule and coalescing (tests use short delays). */
  pokeRounds?: PokeRoundSettings;
}

export type LocalRuntime = CloudRuntime & { broker: EmbeddedBroker };

/** Declares the app's queues on the embedded broker with the options infra/ gives them in Azure. */
export function declareAppQueues(broker: EmbeddedBroker, config: CloudConfig): void {
  broker.declareQueue(config.GRAPH_CHANGES_QUEUE, appQueueOptions.graphChanges);
  broker.declareQueue(config.WRITEBACK_QUEUE, appQueueOptions.writeback);
  broker.declareQueue(config.WRITEBACK_RESULTS_QUEUE, appQueueOptions.writebackResults);
}

export function localConfig(opts: Pick<LocalRuntimeOptions, 'graphBaseUrl' | 'tenantId' | 'hostUrl' | 'settings'>): CloudConfig {
  return cloudConfigSchema.parse({
    GRAPH_TENANT_ID: opts.tenantId,
    GRAPH_BASE_URL: opts.graphBaseUrl,
    NOTIFICATION_URL: `${opts.hostUrl}/api/graph/notifications`,
    LIFECYCLE_NOTIFICATION_URL: `${opts.hostUrl}/api/graph/lifecycle`,
    CLIENT_STATE_SECRET: randomBytes(24).toString('base64url'),
    STATE_TABLE_ENDPOINT: 'http://127.0.0.1:10002/devstoreaccount1',
    ServiceBusConnection__fullyQualifiedNamespace: 'embedded.local',
    // Admin tokens come from the Graph simulator's Entra part (dev/graph-sim/entra.ts), checked as in Azure.
    ADMIN_API_AUDIENCE: LOCAL_ADMIN_AUDIENCE,
    ADMIN_AUTHORITY_HOST: opts.graphBaseUrl,
    ...opts.settings,
  });
}

export async function createLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const config = localConfig(opts);
  const broker = opts.broker ?? new EmbeddedBroker();
  declareAppQueues(broker, config);
  const tables = opts.tables ?? new MemoryTableStore();
  const log = opts.log ?? createLogger('functions', config.LOG_LEVEL);
  const runtime = assembleRuntime({
    config,
    queue: opts.sentLog ? opts.sentLog.wrap(broker.client()) : broker.client(),
    tables,
    graph: createGraphClient({ baseUrl: opts.graphBaseUrl }),
    log,
    now: opts.now ?? (() => new Date()),
    ...(opts.pokeRounds ? { pokeRounds: opts.pokeRounds } : {}),
  });
  return Object.assign(runtime, { broker });
}
