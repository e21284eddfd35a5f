// One bound LDAPS connection to a writable DC, pinned for the run (a DC we just wrote to answers our
// reads; intra-site replication takes ~15 s). On a connection failure the next DC in the list is tried;
// a connection idle longer than AD's MaxConnIdleTime would be dropped by the DC, so it is replaced first.
import type { Client } from 'ldapts';
import type { Logger } from '../../shared/logging.js';
import { connectLdap, type LdapConnectOptions } from './connect.js';
import { BulkLane } from './bulk-lane.js';
import { classifyLdapError, DirectoryUnavailableError, isConnectionLoss } from './errors.js';

export interface DirectoryOptions {
  urls: readonly string[];
  tlsServerName?: string;
  caPem: string;
  bindDn: string;
  password: string;
  timeoutMs: number;
  idleReconnectMs: number;
  log: Logger;
  /** For tests: how a connection is opened. */
  connect?: (opts: LdapConnectOptions) => Promise<Client>;
  /** For tests: the clock. */
  now?: () => number;
}

/** What applying a change set needs of the connection: running requests on it (a Directory, or inBulkLane's view). */
export type DirectoryRequests = Pick<Directory, 'use'>;

/**
 * `directory` with every request in the bulk lane: a big group's whole change set. Its own requests (finding or
 * creating the group, nesting checks) then never count as another group's, so its member work does not wait the
 * lane's grace after them (bulk-lane.ts); they also let other groups' requests go first.
 */
export function inBulkLane(directory: DirectoryRequests): DirectoryRequests {
  return { use: (fn, opts = {}) => directory.use(fn, { ...opts, bulk: true }) };
}

export class Directory {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private pinned = 0;
  private lastUsedMs = 0;
  private inFlight = 0;
  private readonly connect: (opts: LdapConnectOptions) => Promise<Client>;
  private readonly now: () => number;
  private readonly lane: BulkLane;

  constructor(private readonly opts: DirectoryOptions) {
    if (opts.urls.length === 0) throw new Error('Directory needs at least one DC URL');
    this.connect = opts.connect ?? connectLdap;
    this.now = opts.now ?? Date.now;
    this.lane = new BulkLane({ graceMs: 50, maxWaitMs: 1_000 });
  }

  /** The DC this run is pinned to. */
  get dcUrl(): string {
    return this.opts.urls[this.pinned]!;
  }

  /**
   * Runs `fn` with the bound client. A connection loss drops the client (the next call reconnects, pinned
   * DC first, then the others). `retry: true` runs `fn` once more on a fresh connection: only for reads.
   * `bulk: true` (a big group's requests: inBulkLane) lets other groups' requests go first (bulk-lane.ts).
   */
  async use<T>(fn: (client: Client) => Promise<T>, opts: { retry?: boolean; bulk?: boolean } = {}): Promise<T> {
    if (opts.bulk) await this.lane.turn();
    else this.lane.enter();
    try {
      const client = await this.acquire();
      this.inFlight += 1;
      try {
        return await fn(client);
      } catch (error) {
        if (!isConnectionLoss(error)) throw error;
        this.drop(client, error);
        if (!opts.retry) throw error;
        const fresh = await this.acquire();
        return await fn(fresh);
      } finally {
        this.inFlight -= 1;
        this.lastUsedMs = this.now();
      }
    } finally {
      if (!opts.bulk) this.lane.leave();
    }
  }

  /**
   * Runs a small change set's work (`use` calls without `bulk`): bulk requests wait for all of it, not only
   * for each request and the grace after it (bulk-lane.ts). Never around bulk work: it would wait for itself.
   */
  async foreground<T>(fn: () => Promise<T>): Promise<T> {
    this.lane.enter();
    try {
      return await fn();
    } finally {
      this.lane.leave();
    }
  }

  /** Opens the connection now (start-up check); throws DirectoryUnavailableError when no DC answers. */
  async open(): Promise<void> {
    await this.acquire();
  }

  /** Proves a DC answers: connects and binds if needed (failing over), then reads the rootDSE. */
  async probe(): Promise<void> {
    await this.use((c) => c.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }), { retry: true });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.unbind().catch(() => undefined);
  }

  private async acquire(): Promise<Client> {
    if (this.client && this.inFlight === 0 && this.now() - this.lastUsedMs > this.opts.idleReconnectMs) {
      // The DC has probably dropped it (MaxConnIdleTime): start fresh rather than fail the next write.
      this.opts.log.debug({ dc: this.dcUrl }, 'LDAP connection idle too long; reconnecting');
      const stale = this.client;
      this.client = null;
      void stale.unbind().catch(() => undefined);
    }
    if (this.client) return this.client;
    this.connecting ??= this.connectAny().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private drop(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.opts.log.warn({ dc: this.dcUrl, err: classifyLdapError(error).text }, 'LDAP connection lost');
    this.client = null;
    void client.unbind().catch(() => undefined);
  }

  /** Pinned DC first, then the rest in list order; the first that binds becomes the pinned one. */
  private async connectAny(): Promise<Client> {
    const urls = this.opts.urls;
    const attempts: { url: string; error: string }[] = [];
    let permanentFailures = 0;
    for (let i = 0; i < urls.length; i += 1) {
      const index = (this.pinned + i) % urls.length;
      const url = urls[index]!;
      try {
        const client = await this.connect({
          url,
          caPem: this.opts.caPem,
          bindDn: this.opts.bindDn,
          password: this.opts.password,
          timeoutMs: this.opts.timeoutMs,
          ...(this.opts.tlsServerName ? { tlsServerName: this.opts.tlsServerName } : {}),
        });
        if (index !== this.pinned) this.opts.log.warn({ from: urls[this.pinned], to: url }, 'failing over to the next DC');
        this.pinned = index;
        this.client = client;
        this.lastUsedMs = this.now();
        this.opts.log.info({ dc: url }, 'connected to DC');
        return client;
      } catch (error) {
        const info = classifyLdapError(error);
        attempts.push({ url, error: info.text });
        if (info.kind === 'permanent') permanentFailures += 1;
        this.opts.log.warn({ dc: url, err: info.text, reason: info.reason }, 'cannot use DC');
      }
    }
    // Every DC refused the bind or the certificate: configuration, not an outage.
    throw new DirectoryUnavailableError(attempts, permanentFailures === urls.length);
  }
}
