// One unit of work on a session: apply, send the results, then settle. Transient failures (DC busy or away,
// socket, timeout) are waited out with the message kept locked and retried in place (retry-in-place.ts), so
// nothing later in the group overtakes it and no delivery is counted; permanent ones are reported as failed
// and dead-lettered with their reason.
import type { Logger } from '../../shared/logging.js';
import { splitForSend, type QueueSender, type SessionReceiver } from '../../shared/ports/queue.js';
import type { RelayConfig } from '../config.js';
import type { ApplyResult } from '../apply/apply-result.js';
import { reportedError } from '../ldap/errors.js';
import { buildResult, failedResult, resultOutgoing } from './results.js';
import { applyInPlace, sendInPlace, type RetryInPlaceOptions } from './retry-in-place.js';
import { settle, type ReceivedWriteback, type Step } from './settle.js';

export interface MessageRunnerOptions extends RetryInPlaceOptions {
  config: Pick<RelayConfig, 'relayId'>;
  /** Reported in every result. */
  relayVersion: string;
  results: QueueSender;
  now: () => number;
}

export class MessageRunner {
  constructor(private readonly opts: MessageRunnerOptions) {}

  /**
   * Applies, reports and settles `items` (several only for snapshot parts, settled together). When `signal`
   * ends a wait (the relay stops, the session lock is lost), the items are left unsettled: closing the
   * session hands them back without counting a delivery.
   */
  async run(
    session: SessionReceiver,
    items: ReceivedWriteback[],
    log: Logger,
    signal: AbortSignal,
    apply: () => Promise<ApplyResult[]>,
    /** When the work on `items` began (a snapshot's first part), if before now. */
    startedAt?: number,
  ): Promise<Step> {
    const { config, stats } = this.opts;
    const started = startedAt ?? this.opts.now();
    let results: ApplyResult[];
    try {
      const applied = await applyInPlace(apply, signal, log, this.opts);
      if (applied === null) {
        log.info('wait ended (relay stopping or session lock lost): the message goes back with the session');
        return 'stop';
      }
      results = applied;
    } catch (error) {
      const reported = reportedError(error);
      results = items.map(() => failedResult(reported));
    }
    const durationMs = this.opts.now() - started;
    const at = new Date(this.opts.now());
    const outgoing = items.map((item, i) => buildResult(item.message, results[i]!, { relayId: config.relayId, relayVersion: this.opts.relayVersion, durationMs, at }));
    // The result goes out before the message is settled: a crash in between repeats the result (same id).
    // The results of a big snapshot's hundreds of parts do not fit in one send: they go in several.
    try {
      for (const send of splitForSend(outgoing.map((r, i) => resultOutgoing(r, items[i]!.received)))) {
        if ((await sendInPlace(this.opts.results, send, signal, log, this.opts)) === 'stopped') return 'stop';
      }
    } catch (error) {
      // Refused as sent: no retry can help. AD holds the change; the dead-letter queue shows the message.
      log.error({ err: (error as Error).message }, 'results refused by the queue; messages dead-lettered');
      let step: Step = 'continue';
      const info = { reason: 'ResultRefused', description: (error as Error).message.slice(0, 4000) };
      for (const item of items) if ((await settle(session, item.received, info, stats, log)) === 'stop') step = 'stop';
      return step;
    }
    let step: Step = 'continue';
    for (const [i, item] of items.entries()) {
      const result = outgoing[i]!;
      stats[result.outcome] += 1;
      const fields = { outcome: result.outcome, added: result.membersAdded, removed: result.membersRemoved, memberErrors: result.memberErrors.length, dn: result.ad?.dn, durationMs };
      if (result.outcome === 'failed') {
        log.error({ ...fields, error: result.error }, 'writeback message failed');
        const info = { reason: result.error?.code ?? 'Failed', description: result.error?.message ?? '' };
        if ((await settle(session, item.received, info, stats, log)) === 'stop') step = 'stop';
      } else {
        log.info(result.error ? { ...fields, error: result.error } : fields, 'writeback message done');
        if ((await settle(session, item.received, null, stats, log)) === 'stop') step = 'stop';
      }
    }
    return step;
  }

  /** Runs `apply` with transient failures waited out in place; null when `signal` ended a wait. */
  inPlace<T>(apply: () => Promise<T>, signal: AbortSignal, log: Logger): Promise<T | null> {
    return applyInPlace(apply, signal, log, this.opts);
  }
}
