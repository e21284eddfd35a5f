// A verified TLS connection to a Service Bus host, directly or through an HTTP proxy: the proxy is asked
// with CONNECT host:443 (RFC 9110, 9.3.6) for a raw tunnel, and TLS runs inside it end to end, so the proxy
// sees only the host name. Used by the WebSocket transport (amqp-websocket.ts); no proxy package needed.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface ProxySettings {
  /** `http://host[:port]` */
  url: string;
  /** Basic authentication at the proxy. */
  username?: string;
  password?: string;
}

export interface TunnelTarget {
  host: string;
  port: number;
  proxy?: ProxySettings;
  timeoutMs: number;
}

export class TunnelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TunnelError';
  }
}

/** The header a proxy with Basic authentication expects, or none. */
export function proxyAuthorization(proxy: ProxySettings): Record<string, string> {
  if (proxy.username === undefined) return {};
  const token = Buffer.from(`${proxy.username}:${proxy.password ?? ''}`, 'utf8').toString('base64');
  return { 'proxy-authorization': `Basic ${token}` };
}

/** A raw TCP stream to target.host:target.port through the proxy (CONNECT). */
export function connectThroughProxy(target: TunnelTarget & { proxy: ProxySettings }): Promise<Duplex> {
  const proxy = new URL(target.proxy.url);
  const authority = `${target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxy.port === '' ? 80 : Number(proxy.port),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthorization(target.proxy) },
      agent: false,
      timeout: target.timeoutMs,
    });
    request.once('connect', (response, socket, head) => {
      request.setTimeout(0);
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new TunnelError(`proxy ${proxy.host} refused CONNECT ${authority}: HTTP ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      // A proxy speaks only after the client in a tunnel; anything early would belong to TLS.
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('timeout', () => request.destroy(new TunnelError(`proxy ${proxy.host} did not answer CONNECT ${authority} within ${target.timeoutMs} ms`)));
    request.once('error', (error) => {
      reject(error instanceof TunnelError ? error : new TunnelError(`cannot reach proxy ${proxy.host}: ${error.message}`, { cause: error }));
    });
    request.end();
  });
}

/** TLS to the target (certificate verified for target.host against Node's CA list, which NODE_EXTRA_CA_CERTS
 *  extends, e.g. for a TLS-inspecting proxy), through the proxy when one is set. */
export async function openTlsConnection(target: TunnelTarget): Promise<tls.TLSSocket> {
  const raw = target.proxy ? await connectThroughProxy({ ...target, proxy: target.proxy }) : undefined;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      ...(raw ? { socket: raw } : { host: target.host, port: target.port }),
      servername: target.host,
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => socket.destroy(new TunnelError(`no TLS session with ${target.host}:${target.port} within ${target.timeoutMs} ms`)), target.timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: Error): void => {
      clearTimeout(timer);
      raw?.destroy();
      reject(error);
    };
    socket.once('error', onError);
  });
}
