// One unit of work on a session: apply, send the results, then settle. Transient failures (DC busy or
// away, socket, timeout) give the messages back (abandon) and end the session, so nothing later in the
// group overtakes them, until the delivery count runs out; permanent ones are reported and dead-lettered.
import { sleep } from '../../shared/timers.js';
import type { Logger } from '../../shared/logging.js';
import type { QueueSender, SessionReceiver } from '../../shared/ports/queue.js';
import type { RelayConfig } from '../config.js';
import type { ApplyResult } from '../apply/apply-result.js';
import { isTransient, reportedError } from '../ldap/errors.js';
import { buildResult, failedResult } from './results.js';
import { giveBack, settle, type ReceivedWriteback, type Step } from './settle.js';
import type { RelayStats } from './stats.js';

export interface MessageRunnerOptions {
  config: Pick<RelayConfig, 'relayId'> & { sessions: Pick<RelayConfig['sessions'], 'maxDeliveryCount' | 'retryDelayMs'> };
  results: QueueSender;
  stats: RelayStats;
  now: () => number;
}

export class MessageRunner {
  constructor(private readonly opts: MessageRunnerOptions) {}

  /** Applies, reports and settles `items` (several only for snapshot parts, settled together). */
  async run(session: SessionReceiver, items: ReceivedWriteback[], log: Logger, apply: () => Promise<ApplyResult[]>): Promise<Step> {
    const { config, stats } = this.opts;
    const started = this.opts.now();
    let results: ApplyResult[];
    try {
      results = await apply();
    } catch (error) {
      if (isTransient(error)) {
        const max = config.sessions.maxDeliveryCount;
        if (!items.some((i) => i.received.deliveryCount >= max)) {
          log.warn({ err: (error as Error).message }, 'transient failure; message given back for a retry');
          await sleep(config.sessions.retryDelayMs);
          await giveBack(session, items, stats, log);
          return 'stop';
        }
        results = items.map(() =>
          failedResult({ code: 'TransientRetriesExhausted', message: `gave up after ${max} deliveries: ${(error as Error).message}` }),
        );
      } else {
        const reported = reportedError(error);
        results = items.map(() => failedResult(reported));
      }
    }
    const durationMs = this.opts.now() - started;
    const at = new Date(this.opts.now());
    const outgoing = items.map((item, i) => buildResult(item.message, results[i]!, { relayId: config.relayId, durationMs, at }));
    try {
      // The result goes out before the message is settled: a crash in between repeats the result (same id).
      await this.opts.results.send(outgoing.map((r) => ({ messageId: r.messageId, body: r })));
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'cannot send results; message given back');
      await giveBack(session, items, stats, log);
      return 'stop';
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
        log.info(fields, 'writeback message done');
        if ((await settle(session, item.received, null, stats, log)) === 'stop') step = 'stop';
      }
    }
    return step;
  }
}
