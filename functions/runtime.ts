// Composition root of the Function App. Handlers call `getCloudRuntime()`; in Azure it is built once per
// worker from the app settings (managed identity for Graph, Service Bus and Tables). The local host and tests
// inject their own with `setCloudRuntime()` (embedded queue, Azurite, Graph simulator).
//
// To add state (repositories etc.): add a field to CloudRuntime and build it in `assembleRuntime` from the
// core ports, so the Azure path and every injected runtime get it the same way.
import type { Client } from '@microsoft/microsoft-graph-client';
import type { GroupStatusStore } from '../shared/app/group-status.js';
import type { SubscriptionRecordStore } from '../shared/app/subscription-keeper.js';
import { loadCloudConfig, type CloudConfig } from '../shared/config.js';
import { createLogger, type Logger } from '../shared/logging.js';
import type { QueueClient, QueueSender } from '../shared/ports/queue.js';
import type { ClientStateSecrets } from '../shared/security/client-state.js';

/** The ports everything else is built from. */
export interface RuntimeCore {
  config: CloudConfig;
  queue: QueueClient;
  graph: Client;
  log: Logger;
  now: () => Date;
}

/** State stores, built from the table adapter (Azure Tables / Azurite). */
export interface RuntimeStores {
  subscriptions: SubscriptionRecordStore;
  statuses: GroupStatusStore;
}

export interface CloudRuntime extends RuntimeCore, RuntimeStores {
  /** Cached sender per queue name (Service Bus senders are expensive to open per request). */
  sender(queue: string): QueueSender;
  secrets: ClientStateSecrets;
  close(): Promise<void>;
}

/** Builds the runtime from its parts; `closeExtra` runs after the queue is closed (e.g. an HTTP agent). */
export function assembleRuntime(core: RuntimeCore, stores: RuntimeStores, closeExtra?: () => Promise<void>): CloudRuntime {
  const senders = new Map<string, QueueSender>();
  return {
    ...core,
    ...stores,
    secrets: { current: core.config.CLIENT_STATE_SECRET, previous: core.config.CLIENT_STATE_SECRET_PREVIOUS },
    sender(queue) {
      let s = senders.get(queue);
      if (s === undefined) {
        s = core.queue.sender(queue);
        senders.set(queue, s);
      }
      return s;
    },
    async close() {
      for (const s of senders.values()) await s.close();
      senders.clear();
      await core.queue.close();
      await closeExtra?.();
    },
  };
}

let current: Promise<CloudRuntime> | undefined;

export function setCloudRuntime(runtime: CloudRuntime | undefined): void {
  current = runtime === undefined ? undefined : Promise.resolve(runtime);
}

export function getCloudRuntime(): Promise<CloudRuntime> {
  current ??= buildAzureRuntime().catch((err: unknown) => {
    // Do not cache a failure: the next invocation tries again (e.g. after a transient identity error).
    current = undefined;
    throw err;
  });
  return current;
}

async function buildAzureRuntime(): Promise<CloudRuntime> {
  const config = loadCloudConfig();
  const log = createLogger('functions', config.LOG_LEVEL);
  // Loaded lazily so the local host and tests never touch Azure SDK credentials.
  const { createAzureAdapters } = await import('./azure-adapters.js');
  const { core, stores, close } = await createAzureAdapters(config, log);
  return assembleRuntime(core, stores, close);
}
