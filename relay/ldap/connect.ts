// Opens a bound LDAP connection to a DC over TLS only: ldaps:// or ldap:// upgraded with StartTLS.
// Certificate verification is always on (the DC's CA is required); the password never reaches a log.
import net from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';

export interface LdapConnectOptions {
  /** `ldaps://host[:636]`, or `ldap://host[:389]` together with `startTls: true`. */
  url: string;
  /** Name the DC's certificate is issued to, when it differs from the URL's host (e.g. URL by IP address). */
  tlsServerName?: string;
  /** CA certificate(s) (PEM) that issued the DC's certificate. */
  caPem: string | Buffer;
  /** Upgrade an ldap:// connection with StartTLS before binding. Required for ldap:// URLs. */
  startTls?: boolean;
  /** Simple bind name: DN or UPN. */
  bindDn: string;
  password: string;
  /** Connect and per-operation timeout; default 15 s. */
  timeoutMs?: number;
}

export class LdapConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LdapConfigError';
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** The TLS options used for both ldaps:// and StartTLS: verification on, TLS 1.2 at least. */
export function ldapTlsOptions(host: string, caPem: string | Buffer, tlsServerName?: string): ConnectionOptions {
  const name = tlsServerName ?? host;
  return {
    ca: caPem,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    host,
    // SNI must not carry an IP address (RFC 6066).
    ...(net.isIP(name) === 0 ? { servername: name } : {}),
    // The certificate must name `name`, whatever host the socket reached (URL by IP, name from config).
    checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
  };
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets.
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * ldapts reconnects silently when a socket drops. After StartTLS that reconnect would be plain text and
 * unauthenticated, so a StartTLS client gets exactly one TCP connection; later attempts fail (as a
 * connection error the relay retries with a new client).
 */
function singleUseConnect(): typeof net.connect {
  let used = false;
  const connect = (port: number, host: string): net.Socket => {
    if (!used) {
      used = true;
      return net.connect(port, host);
    }
    const socket = new net.Socket();
    process.nextTick(() => socket.destroy(new Error('StartTLS session lost; open a new LDAP connection')));
    return socket;
  };
  return connect as typeof net.connect;
}

/** Connects, verifies the DC's certificate, binds, and returns the client. Close it with `client.unbind()`. */
export async function connectLdap(opts: LdapConnectOptions): Promise<Client> {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new LdapConfigError(`not an LDAP URL: ${JSON.stringify(opts.url)}`);
  }
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const host = hostOf(url);
  const tlsOptions = ldapTlsOptions(host, opts.caPem, opts.tlsServerName);
  let client: Client;
  if (url.protocol === 'ldaps:') {
    if (opts.startTls) throw new LdapConfigError('StartTLS is for ldap:// URLs; ldaps:// is TLS already');
    // autoRebind: AD drops idle connections (MaxConnIdleTime); the reconnect is TLS again with the same checks.
    client = new Client({ url: opts.url, timeout, connectTimeout: timeout, tlsOptions, autoRebind: true });
  } else if (url.protocol === 'ldap:') {
    if (!opts.startTls) {
      throw new LdapConfigError(`refusing ${url.protocol}// without StartTLS: the bind password would cross the network in clear`);
    }
    client = new Client({ url: opts.url, timeout, connectTimeout: timeout, createConnection: singleUseConnect() });
  } else {
    throw new LdapConfigError(`unsupported LDAP URL scheme ${JSON.stringify(url.protocol)}`);
  }
  try {
    if (opts.startTls) await client.startTLS({ ...tlsOptions });
    await client.bind(opts.bindDn, opts.password);
    return client;
  } catch (error) {
    await client.unbind().catch(() => undefined);
    throw error;
  }
}
