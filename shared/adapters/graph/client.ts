// The one place a Microsoft Graph client is built. In Azure: a TokenCredential (managed identity) against
// https://graph.microsoft.com. Locally: the dev/ simulator's base URL with a static token. The default
// middleware chain stays in place, so 429/503 with Retry-After are retried by the SDK's RetryHandler.
import { Client } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/identity';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com or http://127.0.0.1:PORT (no version segment). */
  baseUrl: string;
  credential?: TokenCredential;
  /** Only for the local simulator: a fixed bearer token. */
  staticToken?: string;
}

export function createGraphClient(opts: GraphClientOptions): Client {
  const base = new URL(opts.baseUrl);
  const isGraph = base.hostname === 'graph.microsoft.com';
  const authProvider = opts.credential
    ? new TokenCredentialAuthenticationProvider(opts.credential, { scopes: ['https://graph.microsoft.com/.default'] })
    : { getAccessToken: (): Promise<string> => Promise.resolve(opts.staticToken ?? 'local-simulator-token') };
  if (!opts.credential && isGraph) {
    throw new Error('a credential is required to call graph.microsoft.com');
  }
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: `${base.origin}/`,
    defaultVersion: 'v1.0',
    ...(isGraph ? {} : { customHosts: new Set([base.hostname]) }),
  });
}
