// The runtime in Azure: one user-assigned managed identity (AZURE_CLIENT_ID) for Graph, Service Bus, Tables and
// telemetry, settings from the app settings. functions/index.ts installs it as the runtime factory; the local
// host and tests inject their own runtime instead and never load Azure credentials. Building it makes no network
// call (no token, no table check): tables are created by the table store on first use
// (test/unit/azure-runtime.test.ts).
import { ManagedIdentityCredential } from '@azure/identity';
import { createGraphClient } from '../shared/adapters/graph/client.js';
import { createServiceBusQueueClient } from '../shared/adapters/servicebus/index.js';
import { createAzureTableStore } from '../shared/adapters/tables/index.js';
import { loadCloudConfig } from '../shared/config.js';
import { createLogger } from '../shared/logging.js';
import { assembleRuntime, type CloudRuntime } from './runtime.js';
import { startTelemetry } from './telemetry.js';

export async function buildAzureRuntime(): Promise<CloudRuntime> {
  const config = loadCloudConfig();
  const credential =
    config.AZURE_CLIENT_ID !== undefined && config.AZURE_CLIENT_ID !== ''
      ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID })
      : new ManagedIdentityCredential();
  const telemetry = await startTelemetry(config.APPLICATIONINSIGHTS_CONNECTION_STRING, credential);
  const log = createLogger('functions', config.LOG_LEVEL, telemetry.destination);
  // Tables are created on first use (the role assignment allows it): shared/adapters/tables.
  const tables = createAzureTableStore({ endpoint: config.STATE_TABLE_ENDPOINT, credential });
  const queue = createServiceBusQueueClient({ fullyQualifiedNamespace: config.ServiceBusConnection__fullyQualifiedNamespace, credential });
  const built = { namespace: config.ServiceBusConnection__fullyQualifiedNamespace, tables: config.STATE_TABLE_ENDPOINT, telemetry: telemetry.exporter };
  if (telemetry.reason === undefined) log.info(built, 'runtime built');
  else log.warn({ ...built, reason: telemetry.reason }, 'runtime built; logs reach Application Insights through the Functions host only');
  return assembleRuntime({
    config,
    queue,
    tables,
    graph: createGraphClient({ baseUrl: config.GRAPH_BASE_URL, credential }),
    log,
    now: () => new Date(),
  });
}
