// The relay's DC connection against the real Samba DC: survives a dropped connection (AD drops idle
// ones after MaxConnIdleTime), replaces a connection idle too long, and fails over to the next DC when
// the pinned one goes away. Two "DCs" are TCP forwarders to the one Samba DC, so one can be taken down.
import net from 'node:net';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLdap, type LdapConnectOptions } from '../../relay/ldap/connect.js';
import { Directory } from '../../relay/ldap/directory.js';
import { DirectoryUnavailableError } from '../../relay/ldap/errors.js';
import { silentLogger } from '../../shared/logging.js';
import { sleep } from '../../shared/timers.js';
import type { SambaDc } from '../../dev/stack/samba.js';
import { getSambaDc } from '../support/samba.js';

interface Forwarder {
  url: string;
  /** Drops every open connection (as a DC does with idle ones). */
  dropConnections(): void;
  /** Stops listening and drops every connection (the DC is gone). */
  close(): Promise<void>;
}

async function forwarder(target: { host: string; port: number }): Promise<Forwarder> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(target.port, target.host);
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const done = (): void => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', done).on('close', done);
    outbound.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const dropConnections = (): void => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `ldaps://127.0.0.1:${port}`,
    dropConnections,
    close: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}

let dc: SambaDc;
const forwarders: Forwarder[] = [];

beforeAll(async () => {
  dc = await getSambaDc();
});

afterAll(async () => {
  await Promise.all(forwarders.map((f) => f.close()));
});

async function newForwarder(): Promise<Forwarder> {
  const url = new URL(dc.url);
  const f = await forwarder({ host: url.hostname, port: Number(url.port || 636) });
  forwarders.push(f);
  return f;
}

function directory(urls: string[], extra: { now?: () => number; connects?: string[] } = {}): Directory {
  return new Directory({
    urls,
    tlsServerName: dc.tlsServerName,
    caPem: dc.caPem,
    bindDn: dc.adminBindDn,
    password: dc.adminPassword,
    timeoutMs: 5_000,
    idleReconnectMs: 600_000,
    log: silentLogger(),
    connect: (opts: LdapConnectOptions): Promise<Client> => {
      extra.connects?.push(opts.url);
      return connectLdap(opts);
    },
    ...(extra.now ? { now: extra.now } : {}),
  });
}

/** A read only a bound connection may do (Samba refuses it anonymously). */
const boundRead = async (c: Client): Promise<unknown> => {
  const { searchEntries } = await c.search(dc.baseDn, { scope: 'base', attributes: ['objectGUID'] });
  if (searchEntries.length !== 1) throw new Error('domain object not readable');
  return searchEntries[0];
};

describe('relay DC connection', () => {
  it('carries on after the DC dropped the connection', async () => {
    const fwd = await newForwarder();
    const dir = directory([fwd.url]);
    await dir.use(boundRead);
    // Dropped while idle (as AD does): even a call without retry goes through, on a new bound connection.
    fwd.dropConnections();
    await sleep(200);
    await expect(dir.use(boundRead)).resolves.toBeDefined();
    // Dropped just as a read goes out: the read is retried on a fresh connection.
    fwd.dropConnections();
    await expect(dir.use(boundRead, { retry: true })).resolves.toBeDefined();
    await dir.close();
  });

  it('opens a fresh connection before reusing one idle longer than the DC keeps it', async () => {
    let now = 1_000_000;
    const connects: string[] = [];
    const dir = directory([dc.url], { now: () => now, connects });
    await dir.use(boundRead);
    now += 300_000;
    await dir.use(boundRead);
    expect(connects).toHaveLength(1);
    now += 600_001;
    await dir.use(boundRead);
    expect(connects).toHaveLength(2);
    await dir.close();
  });

  it('stays pinned to one DC and fails over to the next when it goes away', async () => {
    const [first, second] = [await newForwarder(), await newForwarder()];
    const connects: string[] = [];
    const dir = directory([first.url, second.url], { connects });
    await dir.use(boundRead);
    await dir.use(boundRead);
    expect(dir.dcUrl).toBe(first.url);
    expect(connects).toEqual([first.url]);
    await first.close();
    // The in-flight read fails over; the pinned DC changes for the rest of the run.
    await expect(dir.use(boundRead, { retry: true })).resolves.toBeDefined();
    expect(dir.dcUrl).toBe(second.url);
    await dir.use(boundRead);
    expect(dir.dcUrl).toBe(second.url);
    await dir.close();
  });

  it('says which DCs it tried when none answers, as a transient failure', async () => {
    const gone = await newForwarder();
    await gone.close();
    const dir = directory([gone.url, 'ldaps://127.0.0.1:1']);
    const error = await dir.use(boundRead).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryUnavailableError);
    expect((error as DirectoryUnavailableError).permanent).toBe(false);
    expect((error as Error).message).toContain(gone.url);
    expect((error as Error).message).toContain('127.0.0.1:1');
  });
});
