// Signing in. In Azure: Entra ID with the authorization code flow and PKCE for a single-page app, done here
// without a library: a redirect to the authorize endpoint, the code redeemed at the token endpoint with fetch,
// the access token kept in sessionStorage (this tab only). Locally (config mode "dev", only when the authority
// is the Graph simulator): a token the simulator minted, pasted into the sign-in box or passed once as
// #token=... The token's claims are read only to show who is signed in and which actions the role allows;
// the API checks every token itself.
const SESSION = 'gwb.session';
const PENDING = 'gwb.pendingSignIn';

export class SignInError extends Error {}

function base64url(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The token's payload, or null when it is not a JWT. */
export function decodeClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null ? claims : null;
  } catch {
    return null;
  }
}

function session() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null');
    return stored !== null && stored.expiresAt > Date.now() + 30_000 ? stored : null;
  } catch {
    return null;
  }
}

export function currentToken() {
  return session()?.token ?? null;
}

/** Who is signed in, for the header and for hiding what the role cannot do. */
export function signedIn() {
  const token = currentToken();
  const claims = token === null ? null : decodeClaims(token);
  if (claims === null) return null;
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  return { name: claims.name ?? claims.preferred_username ?? 'signed in', upn: claims.preferred_username ?? claims.upn ?? null, roles, canAdmin: roles.includes('Writeback.Admin') };
}

export function useToken(token) {
  const claims = decodeClaims(token.trim());
  if (claims === null || typeof claims.exp !== 'number') throw new SignInError('that is not an access token (a JWT with an expiry)');
  if (claims.exp * 1000 <= Date.now()) throw new SignInError('that token has expired');
  sessionStorage.setItem(SESSION, JSON.stringify({ token: token.trim(), expiresAt: claims.exp * 1000 }));
}

export function signOut() {
  sessionStorage.removeItem(SESSION);
}

/** The page itself (…/api/ui/): the SPA redirect URI registered on the admin app registration. */
function redirectUri() {
  return new URL('./', location.href).href;
}

function endpoint(config, name) {
  return `${config.authority}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/${name}`;
}

/** Leaves for Entra's sign-in; the answer comes back to this page in the fragment. */
export async function startEntraSignIn(config, returnTo) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(endpoint(config, 'authorize'));
  url.search = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    response_mode: 'fragment',
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/** Whether the fragment is Entra's answer to a sign-in (#code=...&state=... or #error=...). */
export function isEntraAnswer(fragment) {
  const params = new URLSearchParams(fragment);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** Redeems Entra's answer for an access token; returns the view the admin was on before signing in. */
export async function completeEntraSignIn(config, fragment) {
  const params = new URLSearchParams(fragment);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  if (params.has('error')) throw new SignInError((params.get('error_description') ?? params.get('error')).split('\n')[0]);
  if (pending === null || params.get('state') !== pending.state) throw new SignInError('this sign-in answer was not asked for in this tab; sign in again');
  const res = await fetch(endpoint(config, 'token'), {
    method: 'POST',
    body: new URLSearchParams({
      client_id: config.clientId,
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
      scope: config.scope,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.access_token !== 'string') {
    throw new SignInError(String(body.error_description ?? `the token endpoint answered ${res.status}`).split('\n')[0]);
  }
  useToken(body.access_token);
  return pending.returnTo;
}
