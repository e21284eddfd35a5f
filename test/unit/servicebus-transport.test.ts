// How the relay reaches Service Bus: its config becomes the adapter's transport (AMQP on 5671, or AMQP over
// WebSockets on 443 through an optional proxy whose password is read from its secret source), and the
// transport becomes the ServiceBusClient options (our WebSocket constructor, the proxy as its constructor
// options). The loopback test (test/integration/servicebus-websocket.test.ts) shows those options at work.
import { describe, expect, it } from 'vitest';
import { AmqpWebSocket } from '../../shared/adapters/servicebus/amqp-websocket.js';
import { serviceBusClientOptions } from '../../shared/adapters/servicebus/transport-options.js';
import { parseRelayConfig } from '../../relay/config.js';
import type { ServiceBusQueueConfig } from '../../relay/config-queue.js';
import { proxyOf, signInProxyOptions, transportOf } from '../../relay/queue-client.js';

function queueConfig(queue: Record<string, unknown>): ServiceBusQueueConfig {
  const config = parseRelayConfig({
    relayId: 'relay-01',
    ldap: { urls: ['ldaps://dc1'], caFile: '/ca.pem', bindDn: 'CN=svc,DC=corp', bindPassword: { env: 'PW' }, writebackOu: 'OU=WB,DC=corp' },
    queue: { type: 'serviceBus', namespace: 'contoso.servicebus.windows.net', credential: { type: 'managedIdentity' }, ...queue },
  });
  if (config.queue.type !== 'serviceBus') throw new Error('expected a Service Bus queue');
  return config.queue;
}

describe('Service Bus client options', () => {
  it('leave the SDK on AMQP (5671) by default', () => {
    expect(serviceBusClientOptions()).toEqual({});
    expect(serviceBusClientOptions({ kind: 'amqp' })).toEqual({});
  });

  it('give the SDK our WebSocket and the proxy for websockets', () => {
    expect(serviceBusClientOptions({ kind: 'websockets' })).toEqual({ webSocketOptions: { webSocket: AmqpWebSocket, webSocketConstructorOptions: {} } });
    const proxy = { url: 'http://proxy:3128', username: 'relay', password: 'pw' };
    expect(serviceBusClientOptions({ kind: 'websockets', proxy })).toEqual({
      webSocketOptions: { webSocket: AmqpWebSocket, webSocketConstructorOptions: { proxy } },
    });
  });
});

describe('relay transport from its config', () => {
  it('is AMQP unless websockets is configured', async () => {
    const amqp = queueConfig({});
    expect(transportOf(amqp, await proxyOf(amqp, {}))).toEqual({ kind: 'amqp' });
    const ws = queueConfig({ transport: 'websockets' });
    expect(transportOf(ws, await proxyOf(ws, {}))).toEqual({ kind: 'websockets' });
  });

  it('reads the proxy password from its source and passes the proxy to the WebSocket and the sign-in', async () => {
    const queue = queueConfig({ transport: 'websockets', proxy: { url: 'http://proxy.corp:8080', username: 'relay', password: { env: 'PROXY_PW' } } });
    const proxy = await proxyOf(queue, { PROXY_PW: 'pr0xy' });
    expect(proxy).toEqual({ url: 'http://proxy.corp:8080', username: 'relay', password: 'pr0xy' });
    expect(transportOf(queue, proxy)).toEqual({ kind: 'websockets', proxy });
    expect(signInProxyOptions(proxy!)).toEqual({ host: 'http://proxy.corp', port: 8080, username: 'relay', password: 'pr0xy' });
    expect(signInProxyOptions({ url: 'http://proxy.corp' })).toEqual({ host: 'http://proxy.corp', port: 80 });
  });

  it('names the proxy password setting when its source is missing (a configuration error)', async () => {
    const queue = queueConfig({ transport: 'websockets', proxy: { url: 'http://proxy:3128', username: 'relay', password: { env: 'PROXY_PW' } } });
    await expect(proxyOf(queue, {})).rejects.toThrow('queue.proxy.password.env: environment variable PROXY_PW is not set');
  });
});
