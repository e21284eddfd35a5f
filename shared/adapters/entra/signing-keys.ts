// The tenant's token signing keys, from its published key set (<authority>/<tenant>/discovery/v2.0/keys), cached
// by `kid`. Entra rolls keys over: an unknown `kid` fetches the set again, at most once a minute, so a forged
// token naming random kids cannot make every request fetch.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { SigningKeys } from '../../security/admin-token.js';

const REFETCH_AFTER_MS = 60_000;
const FETCH_TIMEOUT_MS = 5_000;

interface Jwk extends JsonWebKey {
  kid?: string;
  kty?: string;
  use?: string;
}

export class EntraSigningKeys implements SigningKeys {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** <authorityHost>/<tenant>/discovery/v2.0/keys */
  static forTenant(authorityHost: string, tenantId: string): EntraSigningKeys {
    return new EntraSigningKeys(`${authorityHost.replace(/\/+$/, '')}/${tenantId}/discovery/v2.0/keys`);
  }

  async key(kid: string): Promise<KeyObject | null> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.fetchedAt === 0 || this.now() - this.fetchedAt >= REFETCH_AFTER_MS) await this.load();
    return this.keys.get(kid) ?? null;
  }

  private load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const res = await fetch(this.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
        if (!res.ok) throw new Error(`signing keys: HTTP ${res.status} from ${this.url}`);
        const body = (await res.json()) as { keys?: Jwk[] };
        const next = new Map<string, KeyObject>();
        for (const jwk of body.keys ?? []) {
          if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
          next.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }));
        }
        this.keys = next;
        this.fetchedAt = this.now();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}
