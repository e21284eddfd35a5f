// How the Service Bus client reaches the namespace: AMQP over TLS on 5671 (the SDK's default), or AMQP over
// WebSockets on 443 (amqp-websocket.ts), optionally through an HTTP proxy. Networks that allow only 443 out,
// often only through a proxy, need the second (docs/relay.md, "Networks with only 443 out").
import type { ServiceBusClientOptions } from '@azure/service-bus';
import { AmqpWebSocket, type AmqpWebSocketOptions } from './amqp-websocket.js';
import type { ProxySettings } from './connect-tunnel.js';

export type ServiceBusTransport = { kind: 'amqp' } | { kind: 'websockets'; proxy?: ProxySettings };

/** The ServiceBusClient options for a transport. */
export function serviceBusClientOptions(transport: ServiceBusTransport = { kind: 'amqp' }): ServiceBusClientOptions {
  if (transport.kind === 'amqp') return {};
  const constructorOptions: AmqpWebSocketOptions = transport.proxy ? { proxy: transport.proxy } : {};
  return { webSocketOptions: { webSocket: AmqpWebSocket, webSocketConstructorOptions: constructorOptions } };
}
