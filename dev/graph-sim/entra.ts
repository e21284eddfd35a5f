// The slice of Entra ID the admin API needs, so tokens are checked locally exactly as in Azure: the tenant's
// published signing keys (GET /<tenant>/discovery/v2.0/keys) and a way for tests and the local tools to mint an
// admin's access token (RS256, v2 claims: iss, aud, tid, oid, roles...) signed with the simulator's own key.
import { createSign, createVerify, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

/** The audience the local stack's admin API accepts (its ADMIN_API_AUDIENCE). */
export const LOCAL_ADMIN_AUDIENCE = 'api://group-writeback-admin-local';

export interface MintOptions {
  /** App roles, e.g. ['Writeback.Admin']. */
  roles: string[];
  oid?: string;
  name?: string;
  upn?: string;
  audience?: string;
  /** Seconds from issue; negative makes an expired token. */
  expiresInSeconds?: number;
  /** When it is issued (default: the simulator's clock), for a runtime on a clock of its own. */
  issuedAt?: Date;
  /** Another tenant's token (tests of refusals). */
  tenantId?: string;
  issuer?: string;
  /** Sign with a key the tenant does not publish (tests of refusals). */
  foreignKey?: boolean;
  /** Delegated scopes (`scp`), for an admin's own Graph token (e.g. Group.ReadWrite.All). */
  scopes?: string[];
}

export class SimEntra {
  private readonly kid = randomUUID();
  private readonly keys: { privateKey: KeyObject; publicKey: KeyObject };
  private readonly foreign: KeyObject;

  constructor(
    private readonly tenantId: string,
    private readonly baseUrl: () => string,
    private readonly now: () => Date,
  ) {
    this.keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }

  /** The key set Entra publishes for the tenant. */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', alg: 'RS256', kid: this.kid, n: jwk.n, e: jwk.e }] };
  }

  /** Whether `path` (/<tenant>/discovery/v2.0/keys) asks for this tenant's keys. */
  servesKeys(path: string): boolean {
    return path.toLowerCase() === `/${this.tenantId.toLowerCase()}/discovery/v2.0/keys`;
  }

  /** The delegated scopes of a Graph token this simulator signed and that is still valid; [] for anything else
   *  (an app's token, a foreign or expired one): Graph then applies the app's own permissions. */
  delegatedScopes(authorization: string | undefined): string[] {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const parts = token?.split('.');
    if (parts?.length !== 3) return [];
    const [h, p, sig] = parts as [string, string, string];
    if (!createVerify('RSA-SHA256').update(`${h}.${p}`).verify(this.keys.publicKey, Buffer.from(sig, 'base64url'))) return [];
    try {
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { scp?: unknown; exp?: unknown; aud?: unknown };
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < this.now().getTime()) return [];
      if (claims.aud !== 'https://graph.microsoft.com' && claims.aud !== '00000003-0000-0000-c000-000000000000') return [];
      return typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
    } catch {
      return [];
    }
  }

  /** An access token for the admin API, as Entra issues it after an admin signs in. */
  mintToken(o: MintOptions): string {
    const nowS = Math.floor((o.issuedAt ?? this.now()).getTime() / 1000);
    const tenant = o.tenantId ?? this.tenantId;
    const header = { typ: 'JWT', alg: 'RS256', kid: this.kid };
    const payload = {
      aud: o.audience ?? LOCAL_ADMIN_AUDIENCE,
      iss: o.issuer ?? `${this.baseUrl()}/${tenant}/v2.0`,
      iat: nowS,
      nbf: nowS,
      exp: nowS + (o.expiresInSeconds ?? 3600),
      tid: tenant,
      oid: o.oid ?? '5a1f0000-0000-4000-8000-00000000ad01',
      sub: o.oid ?? '5a1f0000-0000-4000-8000-00000000ad01',
      name: o.name ?? 'Local Admin',
      preferred_username: o.upn ?? 'admin@simtenant.onmicrosoft.com',
      roles: o.roles,
      ...(o.scopes && o.scopes.length > 0 ? { scp: o.scopes.join(' ') } : {}),
      ver: '2.0',
    };
    const enc = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const signingInput = `${enc(header)}.${enc(payload)}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(o.foreignKey ? this.foreign : this.keys.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}
