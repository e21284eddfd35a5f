// Building the Azure runtime (functions/azure-runtime.ts) is what a cold start waits for before anything but the
// validation handshake: it must not touch the network. No managed-identity token, no table check or creation
// (tables are created by the table store on their first use), no Graph or Service Bus call. Every endpoint,
// the identity endpoint included, points at a local server that records what reaches it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManagedIdentityCredential } from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildAzureRuntime } from '../../functions/azure-runtime.js';

let server: Server;
let requests: string[];

beforeEach(async () => {
  requests = [];
  server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.statusCode = 400;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings: Record<string, string | undefined> = {
    // App Service's managed-identity endpoint (what @azure/identity uses on Functions) is this server too.
    IDENTITY_ENDPOINT: `${base}/msi/token`,
    IDENTITY_HEADER: 'local-test',
    GRAPH_TENANT_ID: '7d96a1c4-1111-4a2b-9c3d-0123456789ab',
    GRAPH_BASE_URL: base,
    AZURE_CLIENT_ID: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    NOTIFICATION_URL: 'https://func.example.test/api/graph/notifications',
    LIFECYCLE_NOTIFICATION_URL: 'https://func.example.test/api/graph/lifecycle',
    CLIENT_STATE_SECRET: 'current-secret-value-0123456789',
    STATE_TABLE_ENDPOINT: `${base}/`,
    ServiceBusConnection__fullyQualifiedNamespace: '127.0.0.1',
    ADMIN_API_AUDIENCE: 'api://group-writeback-admin-test',
    APPLICATIONINSIGHTS_CONNECTION_STRING: undefined,
    LOG_LEVEL: 'fatal',
  };
  for (const [key, value] of Object.entries(settings)) vi.stubEnv(key, value);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('buildAzureRuntime', () => {
  it('makes no network call: no token, no table created or checked', async () => {
    const runtime = await buildAzureRuntime();
    try {
      // Anything started in the background would have reached the server by now.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(requests).toEqual([]);
      // A table operation during the build would have failed it: here one needs a token over https first.
      await expect(runtime.statuses.read(runtime.config.GRAPH_TENANT_ID, 'f0a5993b-5c2d-49cc-bb2f-8cb0060fef8e')).rejects.toThrow(/TLS/);
    } finally {
      await runtime.close();
    }
  });

  it('would have seen a token request (the identity endpoint is the recording server)', async () => {
    const credential = new ManagedIdentityCredential({ clientId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' });
    await credential.getToken('https://storage.azure.com/.default').catch(() => undefined);
    expect(requests.some((r) => r.includes('/msi/token'))).toBe(true);
  });
});
