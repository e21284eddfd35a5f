// The relay's workers: a few, each holding one session (= one cloud group) at a time, so groups are
// worked on side by side while each group's messages stay in order. A worker accepts the next session,
// hands it to `process`, closes it, and asks again; while the directory gate is closed (no DC answers) it
// takes no new session. idle() tells when every worker has found nothing. When Service Bus refuses (away,
// sign-in or role refused, no such queue), a worker backs off exponentially up to retryMaxDelayMs, and the
// cause is logged once per change (queue-trouble.ts), not at every attempt.
import type { Logger } from '../../shared/logging.js';
import type { QueueClient, SessionReceiver } from '../../shared/ports/queue.js';
import type { RelayConfig } from '../config.js';
import { backoffDelay, backoffOf, waitFor } from './backoff.js';
import type { DirectoryGate } from './directory-gate.js';
import { QueueTrouble } from './queue-trouble.js';
import type { RelayStats } from './stats.js';

export interface WorkerPoolOptions {
  queue: QueueClient;
  config: Pick<RelayConfig, 'queues'> & {
    sessions: Pick<RelayConfig['sessions'], 'concurrency' | 'receiveWaitMs' | 'retryDelayMs' | 'retryMaxDelayMs'>;
  };
  stats: RelayStats;
  /** No new session is accepted while it is closed. */
  gate: DirectoryGate;
  log: Logger;
  /** Works through one accepted session; it should return soon once `stopping` is aborted. */
  process: (session: SessionReceiver, stopping: AbortSignal) => Promise<void>;
}

export class WorkerPool {
  private readonly stopping = new AbortController();
  private workers: Promise<void>[] = [];
  /** Incremented when a worker starts asking for a session (for idle()). */
  private acceptTick = 0;
  /** Per worker: the tick of its last accept that found nothing, or -1 while it works on a session. */
  private emptyAt: number[] = [];
  private idleWaiters: { tick: number; resolve: () => void }[] = [];
  private readonly trouble: QueueTrouble;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.trouble = new QueueTrouble({ queue: opts.config.queues.writeback, log: opts.log });
  }

  start(): void {
    if (this.workers.length > 0) return;
    const n = this.opts.config.sessions.concurrency;
    this.emptyAt = Array.from({ length: n }, () => -1);
    this.workers = Array.from({ length: n }, (_, i) => this.work(i));
  }

  /** Lets every worker finish the message in hand and release its session (unsettled messages return to the queue). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.workers);
    this.workers = [];
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
  }

  /** Resolves once every worker has looked for work, after this call, and found none. */
  idle(): Promise<void> {
    if (this.stopping.signal.aborted || this.workers.length === 0) return Promise.resolve();
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
    const backoff = backoffOf(sessions);
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      if (!(await this.opts.gate.whenOpen(this.stopping.signal))) break;
      const tick = ++this.acceptTick;
      let session: SessionReceiver | null;
      try {
        session = await this.opts.queue.acceptNextSession(queues.writeback, sessions.receiveWaitMs);
      } catch (error) {
        failures += 1;
        const delayMs = backoffDelay(failures, backoff);
        this.trouble.failed(error, failures, delayMs);
        if (!(await waitFor(delayMs, this.stopping.signal))) break;
        continue;
      }
      failures = 0;
      this.trouble.ok();
      if (!session) {
        this.emptyAt[worker] = tick;
        this.checkIdle();
        continue;
      }
      this.emptyAt[worker] = -1;
      this.opts.stats.sessions += 1;
      try {
        await this.opts.process(session, this.stopping.signal);
      } catch (error) {
        this.opts.log.error({ err: (error as Error).message, sessionId: session.sessionId }, 'session failed');
      } finally {
        await session.close().catch(() => undefined);
      }
    }
  }
}
