// Live counters of a running relay (RunningRelay.stats, and the "relay stopped" log line): the worker
// pool counts sessions; the session processor counts messages and how each one ended. The heartbeat
// (heartbeat.ts) reports them.

export interface RelayStats {
  sessions: number;
  messages: number;
  applied: number;
  partial: number;
  failed: number;
  skipped: number;
  /** Messages dead-lettered by the relay (invalid, failed for a permanent cause). */
  deadLettered: number;
  /** Waits after a transient failure (each followed by a retry of the same message in place). */
  retries: number;
  /** When the last writeback message was taken (ISO); null: none since start. */
  lastMessageAt: string | null;
}

export function emptyStats(): RelayStats {
  return { sessions: 0, messages: 0, applied: 0, partial: 0, failed: 0, skipped: 0, deadLettered: 0, retries: 0, lastMessageAt: null };
}
