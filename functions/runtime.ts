// Composition root of the Function App. Handlers call `getCloudRuntime()`; in Azure it is built once per
// worker by functions/azure-runtime.ts (installed by index.ts) from the app settings, with the managed
// identity for Graph, Service Bus and Tables. The local host and tests inject their own with
// `setCloudRuntime()` (embedded queue, Azurite, Graph simulator).
//
// To add state (repositories etc.): add a field to CloudRuntime, build it in `assembleRuntime` from the
// core ports and add its table to shared/state/tables.ts, so the Azure path and every injected runtime get it
// the same way.
import type { Client } from '@microsoft/microsoft-graph-client';
import type { GroupStatusStore } from '../shared/state/group-status-record.js';
import { tableGroupStatusStore } from '../shared/state/group-status-table.js';
import type { SubscriptionRecordStore } from '../shared/state/subscription-table.js';
import { tableSubscriptionStore } from '../shared/state/subscription-table.js';
import { tenantSettingsService, type TenantSettingsService } from '../shared/app/settings/tenant-settings.js';
import type { PokeRoundSettings } from '../shared/app/round/poke-round.js';
import type { CloudConfig } from '../shared/config.js';
import type { Logger } from '../shared/logging.js';
import type { QueueClient, QueueSender } from '../shared/ports/queue.js';
import type { TableStore } from '../shared/ports/table-store.js';
import type { ClientStateSecrets } from '../shared/security/client-state.js';
import { entraIssuers, type AdminTokenPolicy } from '../shared/security/admin-token.js';
import { EntraSigningKeys } from '../shared/adapters/entra/signing-keys.js';
import { createPlannerStore, type PlannerStore } from '../shared/state/planner-store.js';
import { tracedSender } from '../shared/observability/traced-sender.js';

/** The ports everything else is built from. */
export interface RuntimeCore {
  config: CloudConfig;
  queue: QueueClient;
  tables: TableStore;
  graph: Client;
  log: Logger;
  now: () => Date;
  /** Retry schedule and coalescing of planChanges; the defaults (poke-round.ts) when absent, as in Azure. */
  pokeRounds?: PokeRoundSettings;
}

export interface CloudRuntime extends RuntimeCore {
  /** Cached sender per queue name (Service Bus senders are expensive to open per request). */
  sender(queue: string): QueueSender;
  secrets: ClientStateSecrets;
  // -- state stores, built from `tables`
  subscriptions: SubscriptionRecordStore;
  statuses: GroupStatusStore;
  /** The planner's state: delta tokens, planned groups and members, tenant settings, round journal. */
  planner: PlannerStore;
  /** How admin API tokens are checked (functions/admin-auth.ts). */
  adminTokens: AdminTokenPolicy;
  /** The product's tenant settings; a change pokes a full round. */
  tenantSettings: TenantSettingsService;
  close(): Promise<void>;
}

/** Builds the runtime from its ports; `closeExtra` runs after the queue is closed. */
export function assembleRuntime(core: RuntimeCore, closeExtra?: () => Promise<void>): CloudRuntime {
  const senders = new Map<string, QueueSender>();
  const sender = (queue: string): QueueSender => {
    let s = senders.get(queue);
    if (s === undefined) {
      // Stamps the trace of the invocation in progress on what it sends (shared/observability/traced-sender.ts).
      s = tracedSender(core.queue.sender(queue));
      senders.set(queue, s);
    }
    return s;
  };
  const planner = createPlannerStore(core.tables);
  return {
    ...core,
    planner,
    tenantSettings: tenantSettingsService(planner.settings, () => sender(core.config.GRAPH_CHANGES_QUEUE), core.now),
    secrets: { current: core.config.CLIENT_STATE_SECRET, previous: core.config.CLIENT_STATE_SECRET_PREVIOUS },
    subscriptions: tableSubscriptionStore(core.tables),
    statuses: tableGroupStatusStore(core.tables),
    adminTokens: {
      tenantId: core.config.GRAPH_TENANT_ID,
      audiences: core.config.ADMIN_API_AUDIENCE,
      issuers: entraIssuers(core.config.ADMIN_AUTHORITY_HOST, core.config.GRAPH_TENANT_ID),
      keys: EntraSigningKeys.forTenant(core.config.ADMIN_AUTHORITY_HOST, core.config.GRAPH_TENANT_ID),
      now: core.now,
    },
    sender,
    async close() {
      for (const s of senders.values()) await s.close();
      senders.clear();
      await core.queue.close();
      await closeExtra?.();
    },
  };
}

let current: Promise<CloudRuntime> | undefined;
let factory: (() => Promise<CloudRuntime>) | undefined;

/** Injects the runtime (local host, tests); undefined forgets it. */
export function setCloudRuntime(runtime: CloudRuntime | undefined): void {
  current = runtime === undefined ? undefined : Promise.resolve(runtime);
}

/** How to build the runtime when none was injected (functions/index.ts installs the Azure one). */
export function setRuntimeFactory(build: () => Promise<CloudRuntime>): void {
  factory = build;
}

export function getCloudRuntime(): Promise<CloudRuntime> {
  if (current === undefined) {
    if (factory === undefined) return Promise.reject(new Error('no runtime: call setCloudRuntime() or load functions/index.ts'));
    current = factory().catch((err: unknown) => {
      // Do not cache a failure: the next invocation tries again (e.g. after a transient identity error).
      current = undefined;
      throw err;
    });
  }
  return current;
}
