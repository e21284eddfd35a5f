// The adapters the Function App uses in Azure: one user-assigned managed identity (AZURE_CLIENT_ID) for
// Graph, Service Bus and Tables. Only imported by runtime.ts when no runtime was injected.
import { ManagedIdentityCredential } from '@azure/identity';
import { createGraphClient } from '../shared/adapters/graph/client.js';
import type { CloudConfig } from '../shared/config.js';
import type { Logger } from '../shared/logging.js';
import type { RuntimeCore, RuntimeStores } from './runtime.js';

export async function createAzureAdapters(
  config: CloudConfig,
  log: Logger,
): Promise<{ core: RuntimeCore; stores: RuntimeStores; close: () => Promise<void> }> {
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
