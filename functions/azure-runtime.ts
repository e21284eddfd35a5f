// The runtime in Azure: one user-assigned managed identity (AZURE_CLIENT_ID) for Graph, Service Bus and
// Tables, settings from the app settings. functions/index.ts installs it as the runtime factory; the local
// host and tests inject their own runtime instead and never load Azure credentials.
import { ManagedIdentityCredential } from '@azure/identity';
import { createGraphClient } from '../shared/adapters/graph/client.js';
import { loadCloudConfig } from '../shared/config.js';
import { createLogger } from '../shared/logging.js';
import type { CloudRuntime } from './runtime.js';

export async function buildAzureRuntime(): Promise<CloudRuntime> {
  const config = loadCloudConfig();
  const log = createLogger('functions', config.LOG_LEVEL);
  const credential =
    config.AZURE_CLIENT_ID !== undefined && config.AZURE_CLIENT_ID !== ''
      ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID })
      : new ManagedIdentityCredential();
  const graph = createGraphClient({ baseUrl: config.GRAPH_BASE_URL, credential });
  void graph;
  void log;
  // Service Bus (shared/adapters/servicebus) and Tables (shared/adapters/tables) adapters are wired here
  // as soon as they exist.
  throw new Error('the Service Bus and Tables adapters are not wired into the Azure runtime yet');
}
