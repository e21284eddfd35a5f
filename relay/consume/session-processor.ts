// Works through ONE accepted session (= one cloud group): its messages strictly in order, each validated,
// applied, reported and settled (run-messages.ts). Snapshot parts are applied as they arrive and held,
// without their members, until the snapshot is whole (snapshot-in-progress.ts); a message meeting a
// transient failure is kept while the failure is waited out; the session lock is renewed all the while
// (also while a big snapshot takes minutes). The session ends when it is drained, its lock is lost, or the
// relay stops (what is unsettled then goes back with the session, without counting a delivery).
import type { Logger } from '../../shared/logging.js';
import { MessageLockLostError, type QueueSender, type ReceivedMessage, type SessionReceiver } from '../../shared/ports/queue.js';
import type { RelayConfig } from '../config.js';
import { MemberProgress, type MemberProgressFigures } from '../apply/member-progress.js';
import { progressMessageSchema, RESULT_SCHEMA_VERSION } from '../../shared/contracts/result-message.js';
import type { SnapshotPart } from '../apply/snapshot-stream.js';
import type { AdContext } from '../ldap/ad-context.js';
import type { Directory } from '../ldap/directory.js';
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { WritebackApplier } from './apply-writeback.js';
import { backoffOf } from './backoff.js';
import type { DirectoryGate } from './directory-gate.js';
import { MessageRunner } from './run-messages.js';
import { settle, type Step } from './settle.js';
import { SnapshotInProgress } from './snapshot-in-progress.js';
import type { RelayStats } from './stats.js';
import { validateWriteback } from './validate-message.js';

export interface SessionProcessorOptions {
  config: Pick<RelayConfig, 'relayId' | 'sessions' | 'safety'> & {
    ldap: Pick<RelayConfig['ldap'], 'memberChunkSize' | 'memberReadPageSize'>;
  };
  directory: Directory;
  /** Loaded once the DC answers (it may be away at start-up). */
  context: () => Promise<AdContext>;
  /** Closed while the directory is away (shared with the worker pool). */
  gate: DirectoryGate;
  /** Where results go (writeback-results); the caller opens and closes it. */
  results: QueueSender;
  /** The relay's version, reported in every result. */
  relayVersion: string;
  stats: RelayStats;
  log: Logger;
  now?: () => number;
}

/** Snapshots smaller than this are over in seconds: no progress reports. */
const PROGRESS_MIN_MEMBERS = 5_000;

export class SessionProcessor {
  private readonly now: () => number;
  private readonly applier: WritebackApplier;
  private readonly runner: MessageRunner;

  constructor(private readonly opts: SessionProcessorOptions) {
    this.now = opts.now ?? Date.now;
    const { config, directory, context, gate, results, stats, relayVersion } = opts;
    this.applier = new WritebackApplier({ config, directory, context });
    this.runner = new MessageRunner({ config, relayVersion, results, stats, gate, backoff: backoffOf(config.sessions), now: this.now });
  }

  /** Returns when the session is done with; closing it is the caller's. */
  async process(session: SessionReceiver, stopping: AbortSignal): Promise<void> {
    const { sessions } = this.opts.config;
    const log = this.opts.log.child({ groupId: session.sessionId });
    // Ends every wait of this session: the relay stops, or the session lock is lost.
    const lockLost = new AbortController();
    const done = AbortSignal.any([stopping, lockLost.signal]);
    const renew = setInterval(() => {
      session.renewSessionLock().catch((error: unknown) => {
        // Only a lost lock ends the session; a failed renewal (network) is tried again at the next tick.
        if (error instanceof MessageLockLostError) lockLost.abort();
        log.warn({ err: (error as Error).message }, error instanceof MessageLockLostError ? 'session lock lost' : 'cannot renew the session lock yet');
      });
    }, sessions.lockRenewMs);
    let pending: SnapshotInProgress | null = null;
    let partDeadline = 0;
    try {
      while (!done.aborted) {
        // Short waits, so a stop is noticed soon even while waiting for the next snapshot part.
        const wait = pending ? Math.max(1, Math.min(sessions.receiveWaitMs, partDeadline - this.now())) : sessions.receiveWaitMs;
        const [received] = await session.receive(1, wait);
        if (!received) {
          if (pending && this.now() < partDeadline) continue;
          // No next part in time: apply what came (adds only) rather than hold the group forever.
          if (pending) await this.finishSnapshot(session, pending, false, log, done);
          pending = null;
          break;
        }
        this.opts.stats.messages += 1;
        this.opts.stats.lastMessageAt = new Date(this.now()).toISOString();
        const message = await this.validate(session, received, log);
        if (!message) continue;
        const samePending = pending && message.kind === 'snapshot' && message.snapshotId === pending.snapshotId;
        if (pending && !samePending) {
          const held = pending;
          pending = null;
          // On 'stop' the new message goes back with the session too, after the held parts.
          if ((await this.finishSnapshot(session, held, false, log, done)) === 'stop') break;
        }
        let step: Step;
        if (message.kind === 'snapshot') {
          pending ??= this.startSnapshot(message, log);
          const snapshot = pending;
          const partLog = log.child({ snapshotId: message.snapshotId, seq: message.seq, part: message.part, parts: message.parts });
          // Unsettled on 'stop': this part and the held ones go back with the session.
          if ((await this.runner.inPlace(() => snapshot.apply(message), done, partLog)) === null) break;
          const state = snapshot.hold({ received, message });
          if (state === 'waiting') {
            partDeadline = this.now() + sessions.snapshotPartWaitMs;
            continue;
          }
          pending = null;
          step = await this.finishSnapshot(session, snapshot, state === 'complete', log, done);
        } else {
          step = await this.applyOne(session, { received, message }, log, done);
        }
        if (step === 'stop') break;
      }
    } finally {
      clearInterval(renew);
      // Held parts of an unfinished snapshot go back with the session (closing does not count a delivery).
      if (pending) log.info({ snapshotId: pending.snapshotId }, 'releasing held snapshot parts');
    }
  }

  /** The message, or null once an invalid one is dead-lettered. */
  private async validate(session: SessionReceiver, received: ReceivedMessage, log: Logger): Promise<WritebackMessage | null> {
    const validated = validateWriteback(received);
    if (!('invalid' in validated)) return validated;
    log.warn({ messageId: received.messageId, description: validated.invalid }, 'invalid writeback message dead-lettered');
    await settle(session, received, { reason: 'InvalidMessage', description: validated.invalid.slice(0, 4000) }, this.opts.stats, log);
    return null;
  }

  private applyOne(session: SessionReceiver, item: { received: ReceivedMessage; message: Exclude<WritebackMessage, SnapshotPart> }, log: Logger, done: AbortSignal): Promise<Step> {
    const m = item.message;
    const msgLog = log.child({ seq: m.seq, kind: m.kind, messageId: item.received.messageId });
    return this.runner.run(session, [item], msgLog, done, () => this.applier.message(m, msgLog));
  }

  private startSnapshot(first: SnapshotPart, log: Logger): SnapshotInProgress {
    const snapLog = log.child({ snapshotId: first.snapshotId });
    const progress = new MemberProgress({
      log: snapLog,
      everyMs: this.opts.config.sessions.progressEveryMs,
      minTotal: PROGRESS_MIN_MEMBERS,
      now: this.now,
      onReport: (figures) => this.sendProgress(first, figures, snapLog),
    });
    return new SnapshotInProgress(first, (part) => this.applier.beginSnapshot(part, snapLog, progress), this.now());
  }

  /** Best effort, not waited for: a lost report only leaves the status showing an older one. */
  private sendProgress(first: SnapshotPart, figures: MemberProgressFigures, log: Logger): void {
    const seq = first.seq + (first.parts - first.part);
    const at = new Date(this.now()).toISOString();
    const body = progressMessageSchema.parse({
      v: RESULT_SCHEMA_VERSION,
      type: 'progress',
      tenantId: first.tenantId,
      groupId: first.groupId,
      relayId: this.opts.config.relayId,
      progress: { seq, ...figures, stage: figures.stage.slice(0, 100), at },
    });
    this.opts.results
      .send([{ messageId: `progress:${first.groupId}:${seq}:${figures.done}`, body }])
      .catch((error: unknown) => log.warn({ err: (error as Error).message }, 'progress report not sent'));
  }

  /** Removes what no part named (when complete), then reports and settles every held part. */
  private finishSnapshot(session: SessionReceiver, snapshot: SnapshotInProgress, complete: boolean, log: Logger, done: AbortSignal): Promise<Step> {
    const items = snapshot.items();
    const partLog = log.child({ snapshotId: snapshot.snapshotId, parts: items.map((i) => i.message.seq) });
    if (!complete) partLog.warn({ missing: snapshot.missingParts() }, 'snapshot incomplete: adding members, removing none');
    return this.runner.run(session, items, partLog, done, () => snapshot.finish(complete), snapshot.startedAt);
  }
}
