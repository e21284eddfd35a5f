// Test support for the Graph simulator: a real @microsoft/microsoft-graph-client pointed at it, and a
// webhook receiver that answers validation handshakes and records notifications.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@microsoft/microsoft-graph-client';
import { trustSimulatorCertificate } from '../../dev/graph-sim/trust.js';

export { trustSimulatorCertificate };

/**
 * A Graph client for a simulator. Over https (recommended) the client behaves as with Graph: it sends the
 * bearer token (customHosts) and follows absolute @odata.nextLink URLs. Over http it sends no token and
 * cannot follow absolute links (the client only strips https:// origins).
 */
export function simulatorGraphClient(sim: { baseUrl: string; caPem: string | null }, opts: { token?: string } = {}): Client {
  if (sim.caPem) trustSimulatorCertificate(sim.caPem);
  return Client.init({
    baseUrl: `${sim.baseUrl}/`,
    customHosts: new Set([new URL(sim.baseUrl).hostname]),
    defaultVersion: 'v1.0',
    authProvider: (done) => done(null, opts.token ?? 'simulated-access-token'),
  });
}

export interface ReceivedCall {
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

export type ReceiverMode =
  | { kind: 'ok'; status?: number }
  | { kind: 'status'; status: number }
  | { kind: 'wrongToken' }
  | { kind: 'hang' };

export interface WebhookReceiver {
  url: string;
  calls: ReceivedCall[];
  /** How validation requests (?validationToken=) are answered. */
  validation: ReceiverMode;
  /** How notifications are answered; a function picks per call (1-based attempt number). */
  notifications: ReceiverMode | ((n: number) => ReceiverMode);
  notificationBodies(): unknown[];
  close(): Promise<void>;
}

/** An http://127.0.0.1 receiver (the simulator accepts http on loopback). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const calls: ReceivedCall[] = [];
  let notificationCount = 0;
  const receiver: WebhookReceiver = {
    url: '',
    calls,
    validation: { kind: 'ok' },
    notifications: { kind: 'ok', status: 202 },
    notificationBodies: () => calls.filter((c) => !c.query.has('validationToken')).map((c) => JSON.parse(c.body) as unknown),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((rq, rs) => {
    const chunks: Buffer[] = [];
    rq.on('data', (c: Buffer) => chunks.push(c));
    rq.on('end', () => {
      const url = new URL(rq.url ?? '/', 'http://receiver');
      const call: ReceivedCall = { path: url.pathname, query: url.searchParams, contentType: rq.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') };
      calls.push(call);
      const token = url.searchParams.get('validationToken');
      let mode: ReceiverMode;
      if (token !== null) {
        mode = receiver.validation;
      } else {
        notificationCount += 1;
        mode = typeof receiver.notifications === 'function' ? receiver.notifications(notificationCount) : receiver.notifications;
      }
      if (mode.kind === 'hang') return; // never answers; the caller's timeout fires
      if (mode.kind === 'status') {
        rs.writeHead(mode.status).end();
        return;
      }
      if (token !== null) {
        rs.writeHead(200, { 'content-type': 'text/plain' }).end(mode.kind === 'wrongToken' ? `${token}x` : token);
        return;
      }
      rs.writeHead(mode.kind === 'ok' ? (mode.status ?? 202) : 202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/notifications`;
  return receiver;
}
