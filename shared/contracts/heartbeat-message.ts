// Heartbeats on the `writeback-results` queue (relay -> recordResults): the relay's only channel to the cloud
// (it may send only there). Subject `heartbeat`; the body says `type: "heartbeat"`, which no result carries,
// so recordResults tells the two apart by the body. `mode: "check"` is the one `relay --check` sends to prove
// its send right: it records that the relay was checked, not that it runs.
import { z } from 'zod';

export const HEARTBEAT_SCHEMA_VERSION = 1 as const;
export const HEARTBEAT_SUBJECT = 'heartbeat';

const count = z.number().int().nonnegative();

export const heartbeatCountsSchema = z
  .object({
    sessions: count,
    messages: count,
    applied: count,
    partial: count,
    failed: count,
    skipped: count,
    deadLettered: count,
    retries: count,
  })
  .strict();
export type HeartbeatCounts = z.infer<typeof heartbeatCountsSchema>;

export const heartbeatMessageSchema = z
  .object({
    v: z.literal(HEARTBEAT_SCHEMA_VERSION),
    type: z.literal('heartbeat'),
    mode: z.enum(['running', 'check']),
    relayId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    version: z.string().min(1).max(64),
    host: z.string().max(255),
    /** The DC the relay is pinned to (the one that bound, for a check), and whether it answers now. */
    dc: z.string().max(512).nullable(),
    directoryAvailable: z.boolean(),
    /** When the relay last took a writeback message; null: none since it started. */
    lastMessageAt: z.iso.datetime().nullable(),
    startedAt: z.iso.datetime(),
    /** Counters since start (all zero for a check). */
    counts: heartbeatCountsSchema,
    /** The relay's clock when sent. */
    at: z.iso.datetime(),
  })
  .strict();
export type HeartbeatMessage = z.infer<typeof heartbeatMessageSchema>;

/** A body that claims to be a heartbeat (then it must parse as one; otherwise it is a result or poison). */
export function isHeartbeatBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'heartbeat';
}

/** Unique per send: duplicate detection must not drop the next heartbeat. */
export function heartbeatMessageId(relayId: string, mode: HeartbeatMessage['mode'], at: Date): string {
  return `heartbeat:${mode}:${relayId}:${at.getTime()}`;
}
