// The app's queues as infra/main.bicep deploys them, as options of the embedded queue. Both read
// infra/queues.json, so the local stack locks, expires and de-duplicates as Azure does.
import { z } from 'zod';
import queuesJson from '../../infra/queues.json' with { type: 'json' };
import { isoDurationMs } from './iso-duration.js';
import type { QueueOptions } from './queue-options.js';

// Strict: a setting added to the file must be given a meaning here (or knowingly ignored) too.
const queueSchema = z
  .object({
    /** Ignored: the app settings name the queues (infra-settings.test.ts keeps them equal). */
    name: z.string().min(1),
    requiresSession: z.boolean(),
    requiresDuplicateDetection: z.boolean(),
    duplicateDetectionHistoryTimeWindow: z.string().optional(),
    lockDuration: z.string(),
    maxDeliveryCount: z.number().int().min(1),
    deadLetteringOnMessageExpiration: z.boolean(),
    defaultMessageTimeToLive: z.string(),
    /** Ignored: the embedded queue has no size quota. */
    maxSizeInMegabytes: z.number(),
  })
  .strict();

const queuesSchema = z.object({ graphChanges: queueSchema, writeback: queueSchema, writebackResults: queueSchema }).strict();

/** The queue's role; its name comes from the app settings (which default to the names in the file). */
type AppQueue = keyof z.infer<typeof queuesSchema>;

function toOptions(queue: z.infer<typeof queueSchema>): QueueOptions {
  const options: QueueOptions = {
    requiresSession: queue.requiresSession,
    lockDurationMs: isoDurationMs(queue.lockDuration),
    maxDeliveryCount: queue.maxDeliveryCount,
    requiresDuplicateDetection: queue.requiresDuplicateDetection,
    defaultTtlMs: isoDurationMs(queue.defaultMessageTimeToLive),
    deadLetterOnExpiry: queue.deadLetteringOnMessageExpiration,
  };
  if (queue.duplicateDetectionHistoryTimeWindow !== undefined) {
    options.duplicateDetectionWindowMs = isoDurationMs(queue.duplicateDetectionHistoryTimeWindow);
  }
  return options;
}

const queues = queuesSchema.parse(queuesJson);

export const appQueueOptions: Readonly<Record<AppQueue, QueueOptions>> = {
  graphChanges: toOptions(queues.graphChanges),
  writeback: toOptions(queues.writeback),
  writebackResults: toOptions(queues.writebackResults),
};
