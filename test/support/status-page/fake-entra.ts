// Entra ID's sign-in endpoints as a single-page app meets them, for the status page's PKCE test: authorize
// (answers at once with a code in the fragment, as for an admin already signed in), token (redeems the code
// only with the verifier whose S256 challenge came with it, from the registered SPA redirect URI, with CORS),
// and the tenant's signing keys (the Graph simulator's, which mints the tokens).
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphSimulator } from '../../../dev/graph-sim/index.js';

export interface FakeEntra {
  url: string;
  /** The client id of the admin app registration this authority knows. */
  clientId: string;
  /** Set when the page's origin is known (the local host's URL). */
  redirectUri: string;
  /** What the page sent: authorize query and token form, in order. */
  requests: { endpoint: 'authorize' | 'token'; params: Record<string, string> }[];
  close(): Promise<void>;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startFakeEntra(sim: GraphSimulator, roles: string[]): Promise<FakeEntra> {
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  const entra: FakeEntra = { url: '', clientId: randomUUID(), redirectUri: '', requests: [], close: () => Promise.resolve() };
  const base = `/${sim.tenantId}`;
  const json = (res: ServerResponse, status: number, body: unknown, origin?: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...(origin ? { 'access-control-allow-origin': origin } : {}) });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', entra.url);
    if (req.method === 'GET' && url.pathname === `${base}/discovery/v2.0/keys`) return json(res, 200, sim.entra.jwks());
    if (req.method === 'GET' && url.pathname === `${base}/oauth2/v2.0/authorize`) {
      const q = Object.fromEntries(url.searchParams);
      entra.requests.push({ endpoint: 'authorize', params: q });
      const fine = q['client_id'] === entra.clientId && q['response_type'] === 'code' && q['code_challenge_method'] === 'S256' && q['redirect_uri'] === entra.redirectUri;
      if (!fine || q['code_challenge'] === undefined || q['scope'] === undefined) return json(res, 400, { error: 'invalid_request' });
      const code = randomUUID();
      codes.set(code, { challenge: q['code_challenge'], redirectUri: q['redirect_uri']!, scope: q['scope'] });
      const answer = new URLSearchParams({ code, state: q['state'] ?? '', session_state: randomUUID() });
      res.writeHead(302, { location: `${q['redirect_uri']}#${answer}` });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === `${base}/oauth2/v2.0/token`) {
      const origin = req.headers.origin;
      void formBody(req).then((form) => {
        const p = Object.fromEntries(form);
        entra.requests.push({ endpoint: 'token', params: p });
        const issued = codes.get(p['code'] ?? '');
        codes.delete(p['code'] ?? '');
        const verified = issued !== undefined && createHash('sha256').update(p['code_verifier'] ?? '').digest('base64url') === issued.challenge;
        const allowed = origin !== undefined && entra.redirectUri.startsWith(origin);
        if (!verified || !allowed || p['grant_type'] !== 'authorization_code' || p['redirect_uri'] !== issued.redirectUri || p['client_id'] !== entra.clientId) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS50148: the code_verifier does not match the code_challenge' }, origin);
        }
        const token = sim.entra.mintToken({ roles, audience: entra.clientId, issuer: `${entra.url}${base}/v2.0`, name: 'Entra Admin', upn: 'entra.admin@simtenant.onmicrosoft.com' });
        json(res, 200, { token_type: 'Bearer', scope: issued.scope, expires_in: 3600, access_token: token }, origin);
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  entra.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  entra.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections(); // the browser keeps idle connections open
      server.close(() => resolve());
    });
  return entra;
}
