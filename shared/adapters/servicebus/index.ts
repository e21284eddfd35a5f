// The Service Bus queue adapter (Azure); the embedded queue is its local twin.
export {
  createServiceBusQueueClient,
  ServiceBusQueueClient,
  type ServiceBusConnection,
  type ServiceBusQueueOptions,
} from './servicebus-queue-client.js';
