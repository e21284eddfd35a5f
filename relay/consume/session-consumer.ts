// The writeback queue consumer: a few workers, each holding one session (= one cloud group) at a time and
// processing its messages strictly in order. Per message: validate, apply to AD, send the result, then
// settle. Transient failures (DC busy or away, socket, timeout) give the message back (abandon) and
// release the session, so nothing later in the group overtakes it; permanent ones are reported.
import { writebackMessageSchema, type WritebackMessage } from '../../shared/contracts/writeback-message.js';
import type { Logger } from '../../shared/logging.js';
import { MessageLockLostError, type QueueClient, type QueueSender, type ReceivedMessage, type SessionReceiver } from '../../shared/ports/queue.js';
import type { RelayConfig } from '../config.js';
import type { DeletionGuard } from '../apply/deletion-guard.js';
import type { AdContext } from '../ldap/ad-context.js';
import { applyDelete, type DeleteGate } from '../apply/apply-delete.js';
import type { ApplyEnv, ApplyResult } from '../apply/apply-result.js';
import { applySnapshot, type SnapshotPart } from '../apply/apply-snapshot.js';
import { applyUpsert } from '../apply/apply-upsert.js';
import { DirectoryUnavailableError, type Directory } from '../ldap/directory.js';
import { reportedError } from '../ldap/error-codes.js';
import { isTransientLdapError } from '../ldap/errors.js';
import { RefusedError } from '../apply/refused-error.js';
import { buildResult, failedResult } from './results.js';
import { SnapshotAssembly } from './snapshot-assembly.js';
import { sleep } from '../../shared/timers.js';

export interface RelayStats {
  sessions: number;
  messages: number;
  applied: number;
  partial: number;
  failed: number;
  skipped: number;
  held: number;
  /** Messages dead-lettered by the relay (invalid, failed, retries exhausted). */
  deadLettered: number;
  /** Messages given back after a transient failure. */
  abandoned: number;
}

export function emptyStats(): RelayStats {
  return { sessions: 0, messages: 0, applied: 0, partial: 0, failed: 0, skipped: 0, held: 0, deadLettered: 0, abandoned: 0 };
}

/** Application property an approved (released) held deletion carries: it passes the deletion threshold. */
export const DELETION_APPROVED_PROPERTY = 'deletionApproved';

export interface ConsumerOptions {
  queue: QueueClient;
  config: Pick<RelayConfig, 'relayId' | 'queues' | 'sessions' | 'safety'> & {
    ldap: Pick<RelayConfig['ldap'], 'memberChunkSize' | 'memberReadPageSize'>;
  };
  directory: Directory;
  /** Loaded once the DC answers (it may be away at start-up). */
  context: () => Promise<AdContext>;
  guard: DeletionGuard;
  log: Logger;
  now?: () => number;
}

interface Item {
  received: ReceivedMessage;
  message: WritebackMessage;
}

type Step = 'continue' | 'stop';

/** True for failures worth retrying: the DC or the queue was away, not the message wrong. */
function isTransient(error: unknown): boolean {
  if (error instanceof RefusedError) return false;
  if (error instanceof DirectoryUnavailableError) return true;
  return isTransientLdapError(error);
}

export class SessionConsumer {
  readonly stats: RelayStats = emptyStats();
  private stopping = false;
  private workers: Promise<void>[] = [];
  private results: QueueSender | null = null;
  /** Incremented when a worker starts asking for a session (for idle()). */
  private acceptTick = 0;
  /** Per worker: the tick of its last accept that found nothing, or -1 while it works on a session. */
  private emptyAt: number[] = [];
  private idleWaiters: { tick: number; resolve: () => void }[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: ConsumerOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.workers.length > 0) return;
    this.results = this.opts.queue.sender(this.opts.config.queues.results);
    const n = this.opts.config.sessions.concurrency;
    this.emptyAt = Array.from({ length: n }, () => -1);
    this.workers = Array.from({ length: n }, (_, i) => this.work(i));
  }

  /** Finishes the message in hand, releases the sessions (unsettled messages return to the queue). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
    this.workers = [];
    await this.results?.close();
    this.results = null;
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
  }

  /** Resolves once every worker has looked for work, after this call, and found none. */
  idle(): Promise<void> {
    if (this.stopping || this.workers.length === 0) return Promise.resolve();
    const tick = this.acceptTick;
    return new Promise((resolve) => {
      this.idleWaiters.push({ tick, resolve });
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    this.idleWaiters = this.idleWaiters.filter((waiter) => {
      const idle = this.emptyAt.every((at) => at > waiter.tick);
      if (idle) waiter.resolve();
      return !idle;
    });
  }

  private async work(worker: number): Promise<void> {
    const { sessions, queues } = this.opts.config;
    while (!this.stopping) {
      const tick = ++this.acceptTick;
      let session: SessionReceiver | null;
      try {
        session = await this.opts.queue.acceptNextSession(queues.writeback, sessions.receiveWaitMs);
      } catch (error) {
        this.opts.log.warn({ err: (error as Error).message }, 'cannot accept a session; retrying');
        await sleep(Math.min(sessions.receiveWaitMs, 5_000));
        continue;
      }
      if (!session) {
        this.emptyAt[worker] = tick;
        this.checkIdle();
        continue;
      }
      this.emptyAt[worker] = -1;
      this.stats.sessions += 1;
      try {
        await this.processSession(session);
      } catch (error) {
        this.opts.log.error({ err: (error as Error).message, sessionId: session.sessionId }, 'session failed');
      } finally {
        await session.close().catch(() => undefined);
      }
    }
  }

  private async processSession(session: SessionReceiver): Promise<void> {
    const { sessions } = this.opts.config;
    const log = this.opts.log.child({ groupId: session.sessionId });
    let lockLost = false;
    const renew = setInterval(() => {
      session.renewSessionLock().catch((error: unknown) => {
        lockLost = true;
        log.warn({ err: (error as Error).message }, 'session lock lost');
      });
    }, sessions.lockRenewMs);
    let pending: SnapshotAssembly<Item> | null = null;
    let partDeadline = 0;
    try {
      while (!this.stopping && !lockLost) {
        // Short waits, so a stop is noticed soon even while waiting for the next snapshot part.
        const wait = pending ? Math.max(1, Math.min(sessions.receiveWaitMs, partDeadline - this.now())) : sessions.receiveWaitMs;
        const [received] = await session.receive(1, wait);
        if (!received) {
          if (pending && this.now() < partDeadline) continue;
          // No next part in time: apply what came (adds only) rather than hold the group forever.
          if (pending) await this.applyParts(session, pending, false, log);
          pending = null;
          break;
        }
        this.stats.messages += 1;
        const message = await this.validate(session, received, log);
        if (!message) continue;
        const item = { received, message };
        const samePending = pending && message.kind === 'snapshot' && message.snapshotId === pending.snapshotId;
        if (pending && !samePending) {
          const held = pending;
          pending = null;
          if ((await this.applyParts(session, held, false, log)) === 'stop') {
            // The new message was not worked on: let it come again after the held parts.
            await this.giveBack(session, [item], log);
            break;
          }
        }
        let step: Step;
        if (message.kind === 'snapshot') {
          pending ??= new SnapshotAssembly<Item>(message.snapshotId, message.parts);
          const state = pending.add(message.part, item);
          if (state === 'waiting') {
            partDeadline = this.now() + sessions.snapshotPartWaitMs;
            continue;
          }
          const held = pending;
          pending = null;
          step = await this.applyParts(session, held, state === 'complete', log);
        } else {
          step = await this.applyOne(session, item, log);
        }
        if (step === 'stop') break;
      }
    } finally {
      clearInterval(renew);
      // Held parts of an unfinished snapshot go back with the session (closing does not count a delivery).
      if (pending) log.info({ snapshotId: pending.snapshotId }, 'releasing held snapshot parts');
    }
  }

  private async validate(session: SessionReceiver, received: ReceivedMessage, log: Logger): Promise<WritebackMessage | null> {
    const parsed = writebackMessageSchema.safeParse(received.body);
    let description: string | null = null;
    if (!parsed.success) {
      description = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    } else if (received.sessionId !== undefined && received.sessionId !== parsed.data.groupId) {
      description = `sessionId ${received.sessionId} is not the message's groupId ${parsed.data.groupId}`;
    }
    if (description === null && parsed.success) return parsed.data;
    log.warn({ messageId: received.messageId, description }, 'invalid writeback message dead-lettered');
    await this.settle(session, received, { reason: 'InvalidMessage', description: (description ?? '').slice(0, 4000) }, log);
    return null;
  }

  private async env(log: Logger): Promise<ApplyEnv> {
    return {
      directory: this.opts.directory,
      ctx: await this.opts.context(),
      memberChunkSize: this.opts.config.ldap.memberChunkSize,
      memberReadPageSize: this.opts.config.ldap.memberReadPageSize,
      staging: this.opts.config.safety.stagingMode,
      log,
    };
  }

  private deleteGate(received: ReceivedMessage): DeleteGate {
    const approved = received.applicationProperties[DELETION_APPROVED_PROPERTY] === true;
    const at = this.now();
    return {
      mayDelete: () => {
        if (approved) {
          this.opts.guard.recordApproved(at);
          return true;
        }
        return this.opts.guard.tryReserve(at);
      },
      notDeleted: () => this.opts.guard.release(at),
    };
  }

  private applyOne(session: SessionReceiver, item: Item, log: Logger): Promise<Step> {
    const m = item.message;
    const msgLog = log.child({ seq: m.seq, kind: m.kind, messageId: item.received.messageId });
    return this.run(session, [item], msgLog, async () => {
      const env = await this.env(msgLog);
      switch (m.kind) {
        case 'upsert':
          return [await applyUpsert(env, m)];
        case 'delete':
          return [await applyDelete(env, m, this.deleteGate(item.received))];
        case 'snapshot':
          return (await applySnapshot(env, [m], true)).results;
      }
    });
  }

  private applyParts(session: SessionReceiver, assembly: SnapshotAssembly<Item>, complete: boolean, log: Logger): Promise<Step> {
    const items = assembly.messages();
    const parts = items.map((i) => i.message as SnapshotPart);
    const partLog = log.child({ snapshotId: assembly.snapshotId, parts: items.map((i) => i.message.seq) });
    if (!complete) partLog.warn({ missing: assembly.missingParts() }, 'snapshot incomplete: adding members, removing none');
    return this.run(session, items, partLog, async () => (await applySnapshot(await this.env(partLog), parts, complete)).results);
  }

  /** Applies, reports and settles `items` (several only for snapshot parts, settled together). */
  private async run(session: SessionReceiver, items: Item[], log: Logger, apply: () => Promise<ApplyResult[]>): Promise<Step> {
    const started = this.now();
    let results: ApplyResult[];
    try {
      results = await apply();
    } catch (error) {
      if (isTransient(error)) {
        const max = this.opts.config.sessions.maxDeliveryCount;
        if (!items.some((i) => i.received.deliveryCount >= max)) {
          log.warn({ err: (error as Error).message }, 'transient failure; message given back for a retry');
          await sleep(this.opts.config.sessions.retryDelayMs);
          await this.giveBack(session, items, log);
          return 'stop';
        }
        results = items.map(() =>
          failedResult({ code: 'TransientRetriesExhausted', message: `gave up after ${max} deliveries: ${(error as Error).message}` }),
        );
      } else {
        const reported = error instanceof RefusedError ? { code: error.code, message: error.message } : reportedError(error);
        results = items.map(() => failedResult(reported));
      }
    }
    const durationMs = this.now() - started;
    const at = new Date(this.now());
    const outgoing = items.map((item, i) => buildResult(item.message, results[i]!, { relayId: this.opts.config.relayId, durationMs, at }));
    try {
      // The result goes out before the message is settled: a crash in between repeats the result (same id).
      await this.results!.send(outgoing.map((r) => ({ messageId: r.messageId, body: r })));
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'cannot send results; message given back');
      await this.giveBack(session, items, log);
      return 'stop';
    }
    let step: Step = 'continue';
    for (const [i, item] of items.entries()) {
      const result = outgoing[i]!;
      this.stats[result.outcome] += 1;
      const fields = { outcome: result.outcome, added: result.membersAdded, removed: result.membersRemoved, memberErrors: result.memberErrors.length, dn: result.ad?.dn, durationMs };
      if (result.outcome === 'failed') {
        log.error({ ...fields, error: result.error }, 'writeback message failed');
        const info = { reason: result.error?.code ?? 'Failed', description: result.error?.message ?? '' };
        if ((await this.settle(session, item.received, info, log)) === 'stop') step = 'stop';
      } else {
        log.info(fields, 'writeback message done');
        if ((await this.settle(session, item.received, null, log)) === 'stop') step = 'stop';
      }
    }
    return step;
  }

  /** Complete (info null) or dead-letter. A lost lock ends the session: the message comes again. */
  private async settle(
    session: SessionReceiver,
    received: ReceivedMessage,
    deadLetter: { reason: string; description: string } | null,
    log: Logger,
  ): Promise<Step> {
    try {
      if (deadLetter) {
        await session.deadLetter(received, deadLetter);
        this.stats.deadLettered += 1;
      } else {
        await session.complete(received);
      }
      return 'continue';
    } catch (error) {
      if (!(error instanceof MessageLockLostError)) throw error;
      log.warn({ messageId: received.messageId }, 'lock lost before settling; the message will come again');
      return 'stop';
    }
  }

  private async giveBack(session: SessionReceiver, items: Item[], log: Logger): Promise<void> {
    for (const item of items) {
      try {
        await session.abandon(item.received);
        this.stats.abandoned += 1;
      } catch (error) {
        if (!(error instanceof MessageLockLostError)) throw error;
        log.warn({ messageId: item.received.messageId }, 'lock already lost');
      }
    }
  }
}
