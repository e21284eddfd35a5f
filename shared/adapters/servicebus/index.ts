// The Service Bus queue adapter (Azure); the embedded queue is its local twin.
export {
  createServiceBusQueueClient,
  ServiceBusQueueClient,
  type ServiceBusConnection,
  type ServiceBusQueueOptions,
} from './servicebus-queue-client.js';
export { serviceBusClientOptions, type ServiceBusTransport } from './transport-options.js';
export type { ProxySettings } from './connect-tunnel.js';
