import { describe, expect, it } from 'vitest';
import { ConfigError, loadCloudConfig } from '../../shared/config.js';

const valid = {
  GRAPH_TENANT_ID: '0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3',
  NOTIFICATION_URL: 'https://app.example/api/graph/notifications',
  LIFECYCLE_NOTIFICATION_URL: 'https://app.example/api/graph/lifecycle',
  CLIENT_STATE_SECRET: 'a-long-enough-secret-value',
  STATE_TABLE_ENDPOINT: 'https://acct.table.core.windows.net',
  ServiceBusConnection__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
  ADMIN_API_AUDIENCE: '6c7e0000-0000-4000-8000-000000000001, api://group-writeback-admin',
};

describe('cloud config', () => {
  it('reads the admin API audiences as a list and defaults the authority host to Entra', () => {
    const c = loadCloudConfig(valid);
    expect(c.ADMIN_API_AUDIENCE).toEqual(['6c7e0000-0000-4000-8000-000000000001', 'api://group-writeback-admin']);
    expect(c.ADMIN_AUTHORITY_HOST).toBe('https://login.microsoftonline.com');
    expect(() => loadCloudConfig({ ...valid, ADMIN_API_AUDIENCE: undefined })).toThrow(/ADMIN_API_AUDIENCE/);
  });

  it('accepts a complete environment and fills defaults', () => {
    const c = loadCloudConfig(valid);
    expect(c.WRITEBACK_QUEUE).toBe('writeback');
    expect(c.GRAPH_BASE_URL).toBe('https://graph.microsoft.com');
  });

  it('names each missing or wrong setting and never prints a secret value', () => {
    const secret = 'x'.repeat(200);
    try {
      loadCloudConfig({ ...valid, GRAPH_TENANT_ID: undefined, CLIENT_STATE_SECRET: secret });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/GRAPH_TENANT_ID/);
      expect(msg).toMatch(/CLIENT_STATE_SECRET/);
      expect(msg).not.toContain(secret);
    }
  });

  it('refuses an unresolved Key Vault reference as the clientState secret', () => {
    const ref = '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/client-state)';
    expect(() => loadCloudConfig({ ...valid, CLIENT_STATE_SECRET: ref })).toThrow(/unresolved Key Vault reference/);
    expect(() => loadCloudConfig({ ...valid, CLIENT_STATE_SECRET_PREVIOUS: ref })).toThrow(/CLIENT_STATE_SECRET_PREVIOUS/);
  });
});
