// Entra ID access tokens for the admin API: admins sign in as themselves and call the API with a bearer token
// issued for the admin app registration; the token's app roles say what they may do. Checked here, with no
// library: the signature (RS256 only, key chosen by `kid` from the tenant's published signing keys), issuer,
// audience, tenant, lifetime. Nothing of the token is logged.
import { createVerify, type KeyObject } from 'node:crypto';

/** The app roles of the admin app registration (infra/modules/admin-app.bicep). Admin includes Read. */
export const ADMIN_ROLES = ['Writeback.Admin', 'Writeback.Read'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export interface AdminPrincipal {
  /** The signed-in user's (or app's) object id. */
  oid: string;
  name: string | null;
  /** preferred_username (v2) or upn (v1). */
  upn: string | null;
  roles: AdminRole[];
}

export type AdminTokenErrorCode =
  | 'malformed'
  | 'unsupportedAlgorithm'
  | 'unknownKey'
  | 'badSignature'
  | 'expired'
  | 'notYetValid'
  | 'wrongIssuer'
  | 'wrongAudience'
  | 'wrongTenant';

export class AdminTokenError extends Error {
  constructor(
    readonly code: AdminTokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AdminTokenError';
  }
}

/** The tenant's signing keys by `kid` (shared/adapters/entra/signing-keys.ts). */
export interface SigningKeys {
  key(kid: string): Promise<KeyObject | null>;
}

export interface AdminTokenPolicy {
  tenantId: string;
  /** Accepted `aud` values: the admin app's client id (v2 tokens) and its Application ID URI (v1 tokens). */
  audiences: readonly string[];
  /** Accepted `iss` values (v2: <authority>/<tenant>/v2.0; v1: https://sts.windows.net/<tenant>/). */
  issuers: readonly string[];
  keys: SigningKeys;
  now: () => Date;
  /** Clock difference tolerated on exp and nbf. */
  skewSeconds?: number;
}

function decodePart(part: string | undefined): Record<string, unknown> {
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) throw new AdminTokenError('malformed', 'not a JWT');
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new AdminTokenError('malformed', 'not a JWT');
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Verifies `token` and returns who it names; throws AdminTokenError saying what is wrong. */
export async function verifyAdminToken(token: string, policy: AdminTokenPolicy): Promise<AdminPrincipal> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AdminTokenError('malformed', 'not a JWT');
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(h);
  const payload = decodePart(p);
  // Only what Entra signs access tokens with: never `none`, never an HMAC a public key could be abused for.
  if (header['alg'] !== 'RS256') throw new AdminTokenError('unsupportedAlgorithm', `alg ${String(header['alg'])} is not accepted`);
  const kid = str(header['kid']);
  const key = kid === null ? null : await policy.keys.key(kid);
  if (key === null) throw new AdminTokenError('unknownKey', 'the token is not signed with a key of the tenant');
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new AdminTokenError('malformed', 'not a JWT');
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${h}.${p}`);
  if (!verifier.verify(key, Buffer.from(s, 'base64url'))) throw new AdminTokenError('badSignature', 'the signature does not match');

  const now = policy.now().getTime() / 1000;
  const skew = policy.skewSeconds ?? 300;
  const exp = payload['exp'];
  const nbf = payload['nbf'];
  if (typeof exp !== 'number' || now > exp + skew) throw new AdminTokenError('expired', 'the token has expired');
  if (typeof nbf === 'number' && now < nbf - skew) throw new AdminTokenError('notYetValid', 'the token is not valid yet');
  if (!policy.issuers.includes(String(payload['iss']))) throw new AdminTokenError('wrongIssuer', 'the token is from another issuer');
  const aud = payload['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.some((a) => typeof a === 'string' && policy.audiences.includes(a))) {
    throw new AdminTokenError('wrongAudience', 'the token is for another application');
  }
  if (str(payload['tid'])?.toLowerCase() !== policy.tenantId.toLowerCase()) throw new AdminTokenError('wrongTenant', 'the token is from another tenant');
  const oid = str(payload['oid']) ?? str(payload['sub']);
  if (oid === null) throw new AdminTokenError('malformed', 'the token names no principal');
  const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is AdminRole => (ADMIN_ROLES as readonly unknown[]).includes(r)) : [];
  return { oid, name: str(payload['name']), upn: str(payload['preferred_username']) ?? str(payload['upn']), roles };
}

/** Whether the principal may do what `need` allows (Writeback.Admin includes Writeback.Read). */
export function hasRole(principal: AdminPrincipal, need: AdminRole): boolean {
  return principal.roles.includes('Writeback.Admin') || principal.roles.includes(need);
}

/** The issuers an authority host stands for: v2 and v1 token formats of the tenant. */
export function entraIssuers(authorityHost: string, tenantId: string): string[] {
  const host = authorityHost.replace(/\/+$/, '');
  return [`${host}/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`];
}
