// The embedded queue: Service Bus semantics in one process, for the local stack and tests.
export { appQueueOptions } from './app-queues.js';
export { EmbeddedBroker, type EmbeddedBrokerOptions } from './broker.js';
export { isoDurationMs } from './iso-duration.js';
export { manualClock, type ManualClock } from './manual-clock.js';
export {
  DEFAULT_DUPLICATE_DETECTION_WINDOW_MS,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_DELIVERY_COUNT,
  type QueueOptions,
} from './queue-options.js';
export type { QueueCounts } from './queue-state.js';
