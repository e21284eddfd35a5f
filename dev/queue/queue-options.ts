// How a queue of the embedded broker behaves. Defaults are Service Bus's own (docs/service-bus.md), except duplicate detection,
// which is on unless switched off. The app's queues take the settings infra/ deploys (app-queues.ts).

export interface QueueOptions {
  /** Messages need a sessionId; receivers take a whole session (FIFO, one receiver at a time). */
  requiresSession: boolean;
  /** Peek-lock duration of a message (or of a session). Service Bus default 60 s, max 5 min. */
  lockDurationMs?: number;
  /** Deliveries before a message is dead-lettered with MaxDeliveryCountExceeded. */
  maxDeliveryCount?: number;
  /** Off: every send is enqueued, whatever its messageId. Default on. */
  requiresDuplicateDetection?: boolean;
  /** A second send of a messageId inside this window is accepted and dropped. */
  duplicateDetectionWindowMs?: number;
  /** Time to live from enqueue; unset = forever. */
  defaultTtlMs?: number;
  /** Expired messages go to the dead-letter sub-queue (TTLExpiredException) instead of vanishing. */
  deadLetterOnExpiry?: boolean;
}

export type ResolvedQueueOptions = Required<Omit<QueueOptions, 'defaultTtlMs'>> & { defaultTtlMs: number | undefined };

export const DEFAULT_LOCK_DURATION_MS = 60_000;
export const DEFAULT_MAX_DELIVERY_COUNT = 10;
export const DEFAULT_DUPLICATE_DETECTION_WINDOW_MS = 10 * 60_000;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

export function resolveQueueOptions(options: QueueOptions): ResolvedQueueOptions {
  return {
    requiresSession: options.requiresSession,
    lockDurationMs: positive('lockDurationMs', options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS),
    maxDeliveryCount: Math.floor(positive('maxDeliveryCount', options.maxDeliveryCount ?? DEFAULT_MAX_DELIVERY_COUNT)),
    requiresDuplicateDetection: options.requiresDuplicateDetection ?? true,
    duplicateDetectionWindowMs: positive(
      'duplicateDetectionWindowMs',
      options.duplicateDetectionWindowMs ?? DEFAULT_DUPLICATE_DETECTION_WINDOW_MS,
    ),
    defaultTtlMs: options.defaultTtlMs === undefined ? undefined : positive('defaultTtlMs', options.defaultTtlMs),
    deadLetterOnExpiry: options.deadLetterOnExpiry ?? false,
  };
}
