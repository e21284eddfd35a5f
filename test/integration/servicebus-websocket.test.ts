// AMQP over WebSockets through an HTTP proxy, on loopback: the WebSocket client the Service Bus adapter hands
// the SDK (shared/adapters/servicebus/amqp-websocket.ts) against a TLS WebSocket server that Node's own
// WebSocket client accepts first (so the server is no copy of our client's mistakes), directly and through a
// CONNECT proxy, and finally the real ServiceBusClient built with our transport options, whose AMQP header
// must arrive at the "namespace" through the proxy.
import tls from 'node:tls';
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpWebSocket, type CloseEventLike } from '../../shared/adapters/servicebus/amqp-websocket.js';
import { openTlsConnection } from '../../shared/adapters/servicebus/connect-tunnel.js';
import { serviceBusClientOptions } from '../../shared/adapters/servicebus/transport-options.js';
import { startConnectProxy, startWebSocketServer, testCertificate, type TestWebSocketServer } from '../support/websocket-server.js';

const NAMESPACE = 'sb-test.servicebus.windows.net';
let echo: TestWebSocketServer;

beforeAll(async () => {
  const cert = await testCertificate(['localhost', NAMESPACE]);
  // Trusted in this test process only (Node's default CA list, which both WebSocket clients use).
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), cert.cert]);
  echo = await startWebSocketServer(cert, { echo: true });
});

afterAll(async () => {
  await echo.close();
});

/** Opens `socket`, sends `payload`, and resolves with the echo and the close event after closing. */
function roundTrip(socket: AmqpWebSocket, payload: Buffer): Promise<{ echoed: Buffer; closed: CloseEventLike }> {
  return new Promise((resolve, reject) => {
    let echoed: Buffer | undefined;
    socket.onerror = reject;
    socket.onopen = () => socket.send(payload);
    socket.onmessage = (event) => {
      echoed = event.data;
      socket.close();
    };
    socket.onclose = (closed) => (echoed ? resolve({ echoed, closed }) : reject(new Error(`closed without an echo (${closed.code})`)));
  });
}

describe('the test WebSocket server', () => {
  it("is accepted by Node's own WebSocket client", async () => {
    const ws = new WebSocket(`wss://localhost:${echo.port}/$servicebus/websocket`, 'AMQPWSB10');
    ws.binaryType = 'arraybuffer';
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      ws.onerror = () => reject(new Error('websocket error'));
      ws.onopen = () => ws.send(Buffer.from('hello amqp'));
      ws.onmessage = (event: { data: unknown }) => resolve(Buffer.from(event.data as ArrayBuffer));
    });
    ws.close();
    expect(echoed.toString()).toBe('hello amqp');
    expect(ws.protocol).toBe('AMQPWSB10');
  });
});

describe('AmqpWebSocket', () => {
  it('talks to the server directly: subprotocol, masking, fragments and ping, clean close', async () => {
    const payload = Buffer.alloc(70_000, 7); // a 64-bit length frame out, 16-bit fragments back
    payload.write('AMQP', 0);
    const socket = new AmqpWebSocket(`wss://localhost:${echo.port}/$servicebus/websocket`, ['AMQPWSB10']);
    const { echoed, closed } = await roundTrip(socket, payload);
    expect(echoed.equals(payload)).toBe(true);
    expect(socket.protocol).toBe('AMQPWSB10');
    expect(closed).toMatchObject({ code: 1000, wasClean: true });
    expect(echo.upgrades.at(-1)).toMatchObject({ path: '/$servicebus/websocket', protocols: 'AMQPWSB10' });
  });

  it('stays open while idle longer than the connect timeout', async () => {
    const socket = new AmqpWebSocket(`wss://localhost:${echo.port}/$servicebus/websocket`, ['AMQPWSB10'], { timeoutMs: 150 });
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = reject;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const { echoed } = await new Promise<{ echoed: Buffer; closed: CloseEventLike }>((resolve, reject) => {
      let echoed: Buffer | undefined;
      socket.onerror = reject;
      socket.onmessage = (event) => {
        echoed = event.data;
        socket.close();
      };
      socket.onclose = (closed) => (echoed ? resolve({ echoed, closed }) : reject(new Error(`closed while idle (${closed.code})`)));
      socket.send(Buffer.from('after a pause'));
    });
    expect(echoed.toString()).toBe('after a pause');
  });

  it('goes through an HTTP proxy with CONNECT and Basic credentials', async () => {
    const proxy = await startConnectProxy(echo.port, { username: 'relay', password: 'pr0xy-pass' });
    try {
      const socket = new AmqpWebSocket(`wss://${NAMESPACE}:443/$servicebus/websocket`, ['AMQPWSB10'], {
        proxy: { url: proxy.url, username: 'relay', password: 'pr0xy-pass' },
      });
      const { echoed } = await roundTrip(socket, Buffer.from('through the tunnel'));
      expect(echoed.toString()).toBe('through the tunnel');
      expect(proxy.tunnels).toEqual([{ authority: `${NAMESPACE}:443`, authorization: `Basic ${Buffer.from('relay:pr0xy-pass').toString('base64')}` }]);
      expect(echo.upgrades.at(-1)?.host).toBe(NAMESPACE);
    } finally {
      await proxy.close();
    }
  });

  it('reports a proxy that refuses the tunnel as an error, then a close', async () => {
    const proxy = await startConnectProxy(echo.port, { username: 'relay', password: 'right' });
    try {
      const socket = new AmqpWebSocket(`wss://${NAMESPACE}/$servicebus/websocket`, ['AMQPWSB10'], { proxy: { url: proxy.url } });
      const events: string[] = [];
      await new Promise<void>((resolve) => {
        socket.onerror = (error) => events.push(`error: ${error.message}`);
        socket.onclose = (event) => {
          events.push(`close ${event.code}`);
          resolve();
        };
      });
      expect(events).toEqual([`error: proxy ${new URL(proxy.url).host} refused CONNECT ${NAMESPACE}:443: HTTP 407 Proxy Authentication Required`, 'close 1006']);
    } finally {
      await proxy.close();
    }
  });

  it('verifies the certificate inside the tunnel against the host asked for', async () => {
    const proxy = await startConnectProxy(echo.port);
    try {
      // The test certificate does not name this host: the proxy cannot pass off another server.
      const error = await openTlsConnection({ host: 'other.servicebus.windows.net', port: 443, proxy: { url: proxy.url }, timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect((error as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      await proxy.close();
    }
  });
});

describe('ServiceBusClient with the websockets transport', () => {
  it('sends its AMQP header to the namespace on 443 through the proxy', async () => {
    const cert = await testCertificate([NAMESPACE]);
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), cert.cert]);
    const namespace = await startWebSocketServer(cert, { echo: false });
    const proxy = await startConnectProxy(namespace.port);
    const credential = { getToken: () => Promise.resolve({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const client = new ServiceBusClient(NAMESPACE, credential, serviceBusClientOptions({ kind: 'websockets', proxy: { url: proxy.url } }));
    const abort = new AbortController();
    try {
      const sending = client.createSender('writeback-results').sendMessages({ body: 'x' }, { abortSignal: abort.signal }).catch(() => undefined);
      const first = await namespace.nextMessage();
      expect(first.subarray(0, 4).toString('latin1')).toBe('AMQP');
      expect(proxy.tunnels.map((t) => t.authority)).toEqual([`${NAMESPACE}:443`]);
      expect(namespace.upgrades).toEqual([{ path: '/$servicebus/websocket', host: NAMESPACE, protocols: 'AMQPWSB10' }]);
      abort.abort();
      await sending;
    } finally {
      // The fake namespace never answers AMQP, so the SDK's close would wait for its close frame.
      await Promise.race([client.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000))]);
      await proxy.close();
      await namespace.close();
    }
  });
});
