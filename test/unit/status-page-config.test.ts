// How the status page signs in, from the app settings (functions/statusPage.ts): the dev sign-in only where the
// Graph simulator on this machine is the authority; otherwise Entra ID as the admin app's own single-page app.
import { describe, expect, it } from 'vitest';
import { signInConfig } from '../../functions/statusPage.js';
import { cloudConfigSchema } from '../../shared/config.js';

const tenantId = '7d96a1c4-aaaa-4a2b-9c3d-0123456789ab';
const clientId = '0f3e1c2d-1111-4a2b-9c3d-0123456789ab';

function config(settings: Record<string, string>) {
  return cloudConfigSchema.parse({
    GRAPH_TENANT_ID: tenantId,
    NOTIFICATION_URL: 'https://func.example.net/api/graph/notifications',
    LIFECYCLE_NOTIFICATION_URL: 'https://func.example.net/api/graph/lifecycle',
    CLIENT_STATE_SECRET: 'a-client-state-secret-of-some-length',
    STATE_TABLE_ENDPOINT: 'https://st.table.core.windows.net',
    ServiceBusConnection__fullyQualifiedNamespace: 'sb.servicebus.windows.net',
    ADMIN_API_AUDIENCE: `${clientId},api://${tenantId}/group-writeback-admin`,
    ...settings,
  });
}

describe('status page sign-in settings', () => {
  it('in Azure: Entra ID with the client id from ADMIN_API_AUDIENCE, asking for the app itself by client id', () => {
    expect(signInConfig(config({ ADMIN_AUTHORITY_HOST: 'https://login.microsoftonline.com/' }))).toEqual({
      mode: 'entra',
      authority: 'https://login.microsoftonline.com',
      tenantId,
      clientId,
      scope: `${clientId}/.default`,
    });
  });

  it('locally, where the Graph simulator is the authority: the dev sign-in', () => {
    const sim = 'https://127.0.0.1:40123';
    expect(signInConfig(config({ GRAPH_BASE_URL: sim, ADMIN_AUTHORITY_HOST: `${sim}/`, ADMIN_API_AUDIENCE: 'api://group-writeback-admin-local' }))).toEqual({ mode: 'dev', tenantId });
  });

  it('never the dev sign-in for an authority off this machine, even one that also serves Graph', () => {
    const shared = 'https://login.contoso.example';
    expect(signInConfig(config({ GRAPH_BASE_URL: shared, ADMIN_AUTHORITY_HOST: shared })).mode).toBe('entra');
    expect(signInConfig(config({ ADMIN_AUTHORITY_HOST: 'http://127.0.0.1:40123' })).mode).toBe('entra');
  });

  it('says why it cannot sign in when the audience names no client id', () => {
    expect(signInConfig(config({ ADMIN_API_AUDIENCE: `api://${tenantId}/group-writeback-admin` }))).toEqual({
      mode: 'unavailable',
      reason: 'ADMIN_API_AUDIENCE names no client id, so the page cannot sign in',
    });
  });
});
