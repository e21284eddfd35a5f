// The runtime in Azure: one user-assigned managed identity (AZURE_CLIENT_ID) for Graph, Service Bus and
// Tables, settings from the app settings. functions/index.ts installs it as the runtime factory; the local
// host and tests inject their own runtime instead and never load Azure credentials.
import { ManagedIdentityCredential } from '@azure/identity';
import { createGraphClient } from '../shared/adapters/graph/client.js';
import { createServiceBusQueueClient } from '../shared/adapters/servicebus/index.js';
import { createAzureTableStore } from '../shared/adapters/tables/index.js';
import { loadCloudConfig } from '../shared/config.js';
import { createLogger } from '../shared/logging.js';
import { assembleRuntime, type CloudRuntime } from './runtime.js';

export async function buildAzureRuntime(): Promise<CloudRuntime> {
  const config = loadCloudConfig();
  const log = createLogger('functions', config.LOG_LEVEL);
  const credential =
    config.AZURE_CLIENT_ID !== undefined && config.AZURE_CLIENT_ID !== ''
      ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID })
      : new ManagedIdentityCredential();
  // Tables are created on first use (the role assignment allows it): shared/adapters/tables.
  const tables = createAzureTableStore({ endpoint: config.STATE_TABLE_ENDPOINT, credential });
  const queue = createServiceBusQueueClient({ fullyQualifiedNamespace: config.ServiceBusConnection__fullyQualifiedNamespace, credential });
  log.info({ namespace: config.ServiceBusConnection__fullyQualifiedNamespace, tables: config.STATE_TABLE_ENDPOINT }, 'runtime built');
  return assembleRuntime({
    config,
    queue,
    tables,
    graph: createGraphClient({ baseUrl: config.GRAPH_BASE_URL, credential }),
    log,
    now: () => new Date(),
  });
}
