// One queue of the embedded broker: messages per session, peek-locks, delivery counts, the dead-letter
// sub-queue and the duplicate-detection history. Time is passed in (`now`), so the broker decides
// which clock runs it. Locks and expiry are applied lazily by sweep(), before every operation.
import {
  DEAD_LETTER_MAX_DELIVERY,
  DEAD_LETTER_TTL_EXPIRED,
  InvalidMessageError,
  InvalidQueueOperationError,
  MessageLockLostError,
  SessionLockLostError,
  type DeadLetterInfo,
  type OutgoingMessage,
} from '../../shared/ports/queue.js';
import type { ResolvedQueueOptions } from './queue-options.js';

export interface StoredMessage {
  readonly sequenceNumber: bigint;
  readonly messageId: string;
  readonly sessionId: string | undefined;
  readonly bodyJson: string;
  readonly subject: string | undefined;
  readonly applicationProperties: Readonly<Record<string, string | number | boolean>>;
  /** Enqueue time: the send time, or the scheduled time. Not deliverable before. */
  readonly enqueuedAt: number;
  readonly expiresAt: number | undefined;
  /** Abandons, lost locks and expired session locks so far; a delivery shows this + 1 (Service Bus's
   *  DeliveryCount). */
  failedDeliveries: number;
  lock: MessageLock | undefined;
}

interface MessageLock {
  readonly token: number;
  readonly receiverId: number;
  /** Plain queues only; a session message is locked as long as its session is. */
  until: number;
}

interface Session {
  readonly id: string;
  /** In sequence order. */
  readonly messages: StoredMessage[];
  holder: { receiverId: number; until: number } | undefined;
}

export interface DeadLetter {
  readonly message: StoredMessage;
  /** Grows when a dead-letter receiver abandons it or loses its lock. */
  deliveryCount: number;
  readonly reason: string;
  readonly description: string;
  /** Held by a dead-letter receiver. */
  lock: MessageLock | undefined;
}

export interface DeadLetterDelivery {
  readonly deadLetter: DeadLetter;
  readonly token: number;
  readonly lockedUntil: number;
}

export interface Delivery {
  readonly message: StoredMessage;
  readonly token: number;
  readonly lockedUntil: number;
}

export interface QueueCounts {
  /** Deliverable now. */
  active: number;
  /** Delivered, not yet settled. */
  locked: number;
  /** Waiting for their scheduled enqueue time. */
  scheduled: number;
  deadLettered: number;
  lockedSessions: number;
}

export type Settlement = { kind: 'complete' } | { kind: 'abandon' } | { kind: 'deadLetter'; info: DeadLetterInfo };

/** Plain queues keep all messages in one pseudo-session with this id. */
const PLAIN = '\u0000plain';

export class QueueState {
  private readonly sessions = new Map<string, Session>();
  private readonly bySequence = new Map<bigint, { session: Session; message: StoredMessage }>();
  private readonly deadLetters: DeadLetter[] = [];
  /** messageId -> accepted at; insertion order is time order, so pruning stops at the first young entry. */
  private readonly seenMessageIds = new Map<string, number>();
  private nextSequence = 1n;
  private nextToken = 1;
  /** Earliest time at which sweep() has something to do. */
  private nextDue = Number.POSITIVE_INFINITY;

  constructor(
    readonly name: string,
    readonly options: ResolvedQueueOptions,
  ) {}

  /** Validated by the caller (size, ids); here only what depends on the queue. All or nothing. */
  send(messages: readonly OutgoingMessage[], now: number): void {
    this.sweep(now);
    if (this.options.requiresSession) {
      const missing = messages.find((m) => m.sessionId === undefined);
      if (missing) {
        throw new InvalidMessageError(missing.messageId, `queue ${this.name} requires sessions and the message has no sessionId`);
      }
    }
    for (const message of messages) {
      if (this.options.requiresDuplicateDetection) {
        const seenAt = this.seenMessageIds.get(message.messageId);
        // Service Bus accepts a duplicate inside the window and drops it silently.
        if (seenAt !== undefined && now < seenAt + this.options.duplicateDetectionWindowMs) continue;
        this.seenMessageIds.delete(message.messageId);
        this.seenMessageIds.set(message.messageId, now);
      }
      const enqueuedAt = Math.max(now, message.scheduledEnqueueTimeUtc?.getTime() ?? now);
      const ttl = this.options.defaultTtlMs;
      const stored: StoredMessage = {
        sequenceNumber: this.nextSequence++,
        messageId: message.messageId,
        // On a plain queue the sessionId is carried along and means nothing, as in Service Bus.
        sessionId: message.sessionId,
        bodyJson: JSON.stringify(message.body),
        subject: message.subject,
        applicationProperties: { ...(message.applicationProperties ?? {}) },
        enqueuedAt,
        expiresAt: ttl === undefined ? undefined : enqueuedAt + ttl,
        failedDeliveries: 0,
        lock: undefined,
      };
      const session = this.sessionFor(this.sessionKey(stored));
      session.messages.push(stored);
      this.bySequence.set(stored.sequenceNumber, { session, message: stored });
      if (enqueuedAt > now) this.due(enqueuedAt);
      if (stored.expiresAt !== undefined) this.due(stored.expiresAt);
    }
  }

  receive(receiverId: number, max: number, now: number): Delivery[] {
    if (this.options.requiresSession) {
      throw new InvalidQueueOperationError(
        `queue ${this.name} requires sessions: use acceptNextSession, not a plain receiver`,
      );
    }
    this.sweep(now);
    const session = this.sessions.get(PLAIN);
    if (!session) return [];
    const until = now + this.options.lockDurationMs;
    const deliveries = this.take(session, receiverId, max, now, until);
    if (deliveries.length > 0) this.due(until);
    return deliveries;
  }

  /** Locks the unlocked session whose oldest deliverable message is oldest; undefined when none. */
  acceptNextSession(receiverId: number, now: number): { sessionId: string; lockedUntil: number } | undefined {
    if (!this.options.requiresSession) {
      throw new InvalidQueueOperationError(`queue ${this.name} does not use sessions: use a plain receiver`);
    }
    this.sweep(now);
    let best: { session: Session; sequence: bigint } | undefined;
    for (const session of this.sessions.values()) {
      if (session.holder) continue;
      const first = session.messages.find((m) => this.deliverable(m, now));
      if (first && (!best || first.sequenceNumber < best.sequence)) best = { session, sequence: first.sequenceNumber };
    }
    if (!best) return undefined;
    const until = now + this.options.lockDurationMs;
    best.session.holder = { receiverId, until };
    this.due(until);
    return { sessionId: best.session.id, lockedUntil: until };
  }

  receiveFromSession(receiverId: number, sessionId: string, max: number, now: number): Delivery[] {
    this.sweep(now);
    const session = this.heldSession(receiverId, sessionId, now);
    return this.take(session, receiverId, max, now, session.holder!.until);
  }

  renewSessionLock(receiverId: number, sessionId: string, now: number): number {
    this.sweep(now);
    const session = this.heldSession(receiverId, sessionId, now);
    session.holder!.until = now + this.options.lockDurationMs;
    this.due(session.holder!.until);
    return session.holder!.until;
  }

  /** `sessionId` is the receiver's session (session queues) and undefined for plain receivers. */
  settle(
    receiverId: number,
    sessionId: string | undefined,
    delivery: { messageId: string; sequenceNumber: bigint; token: number },
    settlement: Settlement,
    now: number,
  ): void {
    this.sweep(now);
    if (sessionId !== undefined) {
      const holder = this.sessions.get(sessionId)?.holder;
      if (!holder || holder.receiverId !== receiverId) throw new SessionLockLostError(sessionId, delivery.messageId);
    }
    const found = this.bySequence.get(delivery.sequenceNumber);
    const lock = found?.message.lock;
    if (!found || !lock || lock.token !== delivery.token || lock.receiverId !== receiverId) {
      throw new MessageLockLostError(delivery.messageId);
    }
    const { session, message } = found;
    message.lock = undefined;
    switch (settlement.kind) {
      case 'complete':
        this.remove(session, message);
        break;
      case 'abandon':
        this.failDelivery(session, message);
        break;
      case 'deadLetter':
        this.remove(session, message);
        this.deadLetters.push({
          message,
          deliveryCount: message.failedDeliveries + 1,
          reason: settlement.info.reason,
          description: settlement.info.description,
          lock: undefined,
        });
        break;
    }
  }

  /** A closed receiver gives its locks back. A plain message counts it as a failed delivery (as a lost
   *  lock); session messages do not (Service Bus does not increment it when a session is released). */
  release(receiverId: number, now: number): void {
    this.sweep(now);
    for (const dead of this.deadLetters) {
      if (dead.lock?.receiverId !== receiverId) continue;
      dead.lock = undefined;
      dead.deliveryCount++;
    }
    for (const session of [...this.sessions.values()]) {
      if (session.holder?.receiverId === receiverId) {
        session.holder = undefined;
        for (const message of session.messages) if (message.lock?.receiverId === receiverId) message.lock = undefined;
        this.dropIfEmpty(session);
        continue;
      }
      if (session.id === PLAIN) {
        for (const message of [...session.messages]) {
          if (message.lock?.receiverId === receiverId) {
            message.lock = undefined;
            this.failDelivery(session, message);
          }
        }
      }
    }
  }

  peekDeadLetters(max: number): readonly DeadLetter[] {
    return this.deadLetters.slice(0, max);
  }

  /** Locks up to `max` unlocked dead letters, oldest first (the dead-letter sub-queue has no sessions). */
  receiveDeadLetters(receiverId: number, max: number, now: number): DeadLetterDelivery[] {
    this.sweep(now);
    const until = now + this.options.lockDurationMs;
    const deliveries: DeadLetterDelivery[] = [];
    for (const deadLetter of this.deadLetters) {
      if (deliveries.length >= max) break;
      if (deadLetter.lock) continue;
      const token = this.nextToken++;
      deadLetter.lock = { token, receiverId, until };
      deliveries.push({ deadLetter, token, lockedUntil: until });
    }
    if (deliveries.length > 0) this.due(until);
    return deliveries;
  }

  /** complete removes the dead letter; abandon unlocks it with one more delivery counted. */
  settleDeadLetter(
    receiverId: number,
    delivery: { messageId: string; sequenceNumber: bigint; token: number },
    kind: 'complete' | 'abandon',
    now: number,
  ): void {
    this.sweep(now);
    const index = this.deadLetters.findIndex((d) => d.message.sequenceNumber === delivery.sequenceNumber);
    const dead = this.deadLetters[index];
    if (!dead?.lock || dead.lock.token !== delivery.token || dead.lock.receiverId !== receiverId) {
      throw new MessageLockLostError(delivery.messageId);
    }
    dead.lock = undefined;
    if (kind === 'complete') this.deadLetters.splice(index, 1);
    else dead.deliveryCount++;
  }

  counts(now: number): QueueCounts {
    this.sweep(now);
    const counts: QueueCounts = { active: 0, locked: 0, scheduled: 0, deadLettered: this.deadLetters.length, lockedSessions: 0 };
    for (const session of this.sessions.values()) {
      if (session.holder) counts.lockedSessions++;
      for (const message of session.messages) {
        if (message.lock) counts.locked++;
        else if (message.enqueuedAt > now) counts.scheduled++;
        else counts.active++;
      }
    }
    return counts;
  }

  /** When something time-driven next happens (lock expiry, scheduled enqueue, TTL), for waiters. */
  nextDueAt(): number {
    return this.nextDue;
  }

  /** Applies what time has done: lost locks, expired sessions, expired messages, old duplicate history. */
  sweep(now: number): void {
    for (const [id, seenAt] of this.seenMessageIds) {
      if (now < seenAt + this.options.duplicateDetectionWindowMs) break;
      this.seenMessageIds.delete(id);
    }
    if (now < this.nextDue) return;
    this.nextDue = Number.POSITIVE_INFINITY;
    for (const dead of this.deadLetters) {
      if (!dead.lock) continue;
      if (dead.lock.until > now) this.due(dead.lock.until);
      else {
        dead.lock = undefined;
        dead.deliveryCount++;
      }
    }
    for (const session of [...this.sessions.values()]) {
      if (session.holder) {
        if (session.holder.until <= now) {
          // Unlike a closed session receiver, an expired session lock counts a delivery of every message
          // the holder had received (Service Bus, message sessions, "Impact of delivery count").
          const lost = session.holder.receiverId;
          session.holder = undefined;
          for (const message of [...session.messages]) {
            if (message.lock?.receiverId !== lost) continue;
            message.lock = undefined;
            this.failDelivery(session, message);
          }
        } else this.due(session.holder.until);
      }
      for (const message of [...session.messages]) {
        if (message.lock && session.id === PLAIN) {
          if (message.lock.until <= now) {
            message.lock = undefined;
            this.failDelivery(session, message);
            if (!session.messages.includes(message)) continue;
          } else {
            this.due(message.lock.until);
            continue;
          }
        }
        if (message.lock) continue;
        if (message.expiresAt !== undefined && message.expiresAt <= now) {
          this.remove(session, message);
          if (this.options.deadLetterOnExpiry) {
            this.deadLetters.push({
              message,
              deliveryCount: message.failedDeliveries,
              reason: DEAD_LETTER_TTL_EXPIRED,
              description: 'The message expired and was dead lettered.',
              lock: undefined,
            });
          }
          continue;
        }
        if (message.enqueuedAt > now) this.due(message.enqueuedAt);
        if (message.expiresAt !== undefined) this.due(message.expiresAt);
      }
      this.dropIfEmpty(session);
    }
  }

  private take(session: Session, receiverId: number, max: number, now: number, until: number): Delivery[] {
    const deliveries: Delivery[] = [];
    for (const message of session.messages) {
      if (deliveries.length >= max) break;
      if (!this.deliverable(message, now)) continue;
      const token = this.nextToken++;
      message.lock = { token, receiverId, until };
      deliveries.push({ message, token, lockedUntil: until });
    }
    return deliveries;
  }

  private deliverable(message: StoredMessage, now: number): boolean {
    return !message.lock && message.enqueuedAt <= now && (message.expiresAt === undefined || message.expiresAt > now);
  }

  private heldSession(receiverId: number, sessionId: string, now: number): Session {
    const session = this.sessions.get(sessionId);
    const holder = session?.holder;
    if (!session || !holder || holder.receiverId !== receiverId || holder.until <= now) {
      throw new SessionLockLostError(sessionId);
    }
    return session;
  }

  private failDelivery(session: Session, message: StoredMessage): void {
    message.failedDeliveries++;
    if (message.failedDeliveries >= this.options.maxDeliveryCount) {
      this.remove(session, message);
      this.deadLetters.push({
        message,
        deliveryCount: message.failedDeliveries,
        reason: DEAD_LETTER_MAX_DELIVERY,
        description: `Message could not be consumed after ${this.options.maxDeliveryCount} delivery attempts.`,
        lock: undefined,
      });
    }
  }

  private remove(session: Session, message: StoredMessage): void {
    const index = session.messages.indexOf(message);
    if (index >= 0) session.messages.splice(index, 1);
    this.bySequence.delete(message.sequenceNumber);
    this.dropIfEmpty(session);
  }

  private dropIfEmpty(session: Session): void {
    if (session.messages.length === 0 && !session.holder) this.sessions.delete(session.id);
  }

  private sessionKey(message: StoredMessage): string {
    return this.options.requiresSession ? message.sessionId! : PLAIN;
  }

  private sessionFor(id: string): Session {
    let session = this.sessions.get(id);
    if (!session) {
      session = { id, messages: [], holder: undefined };
      this.sessions.set(id, session);
    }
    return session;
  }

  private due(at: number): void {
    if (at < this.nextDue) this.nextDue = at;
  }
}
