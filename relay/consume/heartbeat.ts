// Tells the cloud the relay is alive: every `heartbeat.intervalSeconds` a heartbeat (its id, version, host,
// DC, last message, counters) on the results queue, the relay's only channel there; recordResults keeps it in
// the relays table. The first goes out one interval after start. A failed send is logged when its cause
// changes, not at every beat (the accept loop already says when Service Bus is away).
import { hostname } from 'node:os';
import {
  HEARTBEAT_SCHEMA_VERSION,
  HEARTBEAT_SUBJECT,
  heartbeatMessageId,
  heartbeatMessageSchema,
  type HeartbeatMessage,
} from '../../shared/contracts/heartbeat-message.js';
import type { Logger } from '../../shared/logging.js';
import type { OutgoingMessage, QueueSender } from '../../shared/ports/queue.js';
import type { RelayStats } from './stats.js';

export interface HeartbeatFacts {
  mode: HeartbeatMessage['mode'];
  relayId: string;
  version: string;
  dc: string | null;
  directoryAvailable: boolean;
  startedAt: Date;
  stats: RelayStats;
  at: Date;
}

/** The heartbeat message (validated with the shared schema, as the receiving side does). */
export function heartbeatMessage(facts: HeartbeatFacts): OutgoingMessage {
  const { stats } = facts;
  const body = heartbeatMessageSchema.parse({
    v: HEARTBEAT_SCHEMA_VERSION,
    type: 'heartbeat',
    mode: facts.mode,
    relayId: facts.relayId,
    version: facts.version,
    host: hostname().slice(0, 255),
    dc: facts.dc,
    directoryAvailable: facts.directoryAvailable,
    lastMessageAt: stats.lastMessageAt,
    startedAt: facts.startedAt.toISOString(),
    counts: {
      sessions: stats.sessions,
      messages: stats.messages,
      applied: stats.applied,
      partial: stats.partial,
      failed: stats.failed,
      skipped: stats.skipped,
      deadLettered: stats.deadLettered,
      retries: stats.retries,
    },
    at: facts.at.toISOString(),
  });
  return { messageId: heartbeatMessageId(facts.relayId, facts.mode, facts.at), subject: HEARTBEAT_SUBJECT, body };
}

export interface HeartbeatOptions {
  relayId: string;
  version: string;
  intervalMs: number;
  results: QueueSender;
  stats: RelayStats;
  /** The DC in use and whether it answers now. */
  directory: () => { dc: string; available: boolean };
  startedAt: Date;
  log: Logger;
  now?: () => number;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastFailure: string | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: HeartbeatOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.schedule();
  }

  /** No further beat; waits for one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sending;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sending = this.beat().finally(() => this.schedule());
    }, this.opts.intervalMs);
  }

  private async beat(): Promise<void> {
    const { dc, available } = this.opts.directory();
    const message = heartbeatMessage({
      mode: 'running',
      relayId: this.opts.relayId,
      version: this.opts.version,
      dc,
      directoryAvailable: available,
      startedAt: this.opts.startedAt,
      stats: this.opts.stats,
      at: new Date(this.now()),
    });
    try {
      await this.opts.results.send([message]);
      if (this.lastFailure !== null) this.opts.log.info('heartbeat sent again');
      this.lastFailure = null;
    } catch (error) {
      const text = (error as Error).message;
      if (text !== this.lastFailure) this.opts.log.warn({ err: text }, 'heartbeat not sent; trying again at the next beat');
      this.lastFailure = text;
    }
  }
}
