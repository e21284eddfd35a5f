// planChanges' logic: a poke from the graph-changes queue -> at most one delta round. The poke only says
// "look now" and how (notification: delta; resync: full round; reconcile: full round with drift repair).
// A poke that a round started after its arrival already served is completed without a round, and a delta
// poke otherwise waits for one follow-up round queued behind it (poke-coalescing.ts). A round that fails for
// a transient cause is retried by a scheduled copy of the poke (poke-retry.ts) and the poke itself completes;
// only when that copy cannot be sent does the handler throw. A safety-net poke is not retried: the safety net
// sends the next one a period later (safety-net.ts), and a retry chain per poke would pile up in an outage.
import { pokeMessageSchema, type PokeMessage } from '../../contracts/poke-message.js';
import { sameId } from '../../domain/ids.js';
import type { PlanMode } from '../../domain/planner.js';
import type { Logger } from '../../logging.js';
import type { DeltaRoundDeps } from './round-deps.js';
import { runDeltaRound, type RoundReport, type RoundRequest } from './run-round.js';
import { decodeQueueBody, describeIssues, PoisonMessageError } from '../../contracts/poison.js';
import { deferPoke, followUpPoke, markRound, mayDefer, roundGroups, servingRound, type ServingRound } from './poke-coalescing.js';
import { recordingReader } from './recording-reader.js';
import { DEFAULT_RETRY_SCHEDULE, mayRetry, retryDelayMs, retryPoke, type RetrySchedule } from './poke-retry.js';
import { classifyRoundFailure } from './round-failure.js';

export interface PokeRoundSettings {
  retry: RetrySchedule;
  /** How much later than a poke's receivedAt a round must have started to serve it (clocks of instances differ). */
  clockSkewMs: number;
}

export const DEFAULT_POKE_ROUND_SETTINGS: PokeRoundSettings = { retry: DEFAULT_RETRY_SCHEDULE, clockSkewMs: 1_000 };

/** Scheduled retries and follow-up pokes go to graph-changes through `pokes` (DeltaRoundDeps). */
export interface PokeRoundDeps extends DeltaRoundDeps {
  /** Default DEFAULT_POKE_ROUND_SETTINGS. */
  pokeRounds?: PokeRoundSettings;
  /** In [0, 1): the jitter of retry delays. Default Math.random. */
  random?: () => number;
}

export type PokeOutcome =
  | { kind: 'round'; report: RoundReport }
  | { kind: 'coalesced'; servedBy: ServingRound }
  | { kind: 'deferred' }
  | { kind: 'retryScheduled'; nextAttempt: number; delayMs: number; cause: string }
  | { kind: 'leftToSafetyNet'; cause: string };

export function modeOf(reason: PokeMessage['reason']): PlanMode {
  switch (reason) {
    case 'notification':
    case 'recheck':
    case 'safetyNet':
      return 'delta';
    case 'resync':
      return 'full';
    case 'reconcile':
      return 'reconcile';
  }
}

/** The poke, or PoisonMessageError when it can never be processed. */
function parsePoke(deps: PokeRoundDeps, raw: unknown): PokeMessage {
  const parsed = pokeMessageSchema.safeParse(decodeQueueBody(raw));
  if (!parsed.success) throw new PoisonMessageError('InvalidPoke', describeIssues(parsed.error.issues));
  if (!sameId(parsed.data.tenantId, deps.tenantId)) {
    throw new PoisonMessageError('UnknownTenant', 'the poke names a tenant this app does not serve');
  }
  return parsed.data;
}

/** Validates the poke, then serves it: already served, deferred to the follow-up round, one round now, or a
 *  scheduled retry of a round that failed for a transient cause. */
export async function handlePoke(deps: PokeRoundDeps, raw: unknown): Promise<PokeOutcome> {
  const poke = parsePoke(deps, raw);
  const settings = deps.pokeRounds ?? DEFAULT_POKE_ROUND_SETTINGS;
  const log = deps.log.child({ tenantId: deps.tenantId, poke: poke.reason, followUp: poke.followUp, attempt: poke.attempt, receivedAt: poke.receivedAt });
  try {
    return await serve(deps, poke, settings, log);
  } catch (err) {
    const failure = classifyRoundFailure(err);
    if (failure.kind === 'transient' && poke.reason === 'safetyNet') {
      log.warn({ err, cause: failure.cause }, 'safety-net round failed; the safety net tries again after safetyNetSeconds');
      return { kind: 'leftToSafetyNet', cause: failure.cause };
    }
    const retry = failure.kind === 'transient' && mayRetry(settings.retry, poke);
    if (!retry && poke.followUp) await releaseFollowUp(deps, log);
    if (failure.kind !== 'transient') throw err;
    if (!retry) throw new PoisonMessageError('RoundRetriesExhausted', `the round failed ${poke.attempt} times; last cause: ${failure.cause}`);
    const delayMs = retryDelayMs(settings.retry, poke.attempt, (deps.random ?? Math.random)());
    try {
      await deps.pokes.send([retryPoke(poke, delayMs, deps.now())]);
    } catch (sendErr) {
      log.error({ err: sendErr, cause: failure.cause }, 'delta round failed and its retry could not be scheduled: the poke is delivered again');
      throw sendErr;
    }
    log.warn({ err, cause: failure.cause, nextAttempt: poke.attempt + 1, delayMs }, 'delta round failed; retry scheduled');
    return { kind: 'retryScheduled', nextAttempt: poke.attempt + 1, delayMs, cause: failure.cause };
  }
}

async function serve(deps: PokeRoundDeps, poke: PokeMessage, settings: PokeRoundSettings, log: Logger): Promise<PokeOutcome> {
  const { marks: repo } = deps.store;
  const marks = await repo.load(deps.tenantId);
  const servedBy = servingRound(marks, poke, settings.clockSkewMs);
  if (servedBy !== null) {
    if (poke.followUp) await repo.save(deps.tenantId, markRound(marks, poke, null));
    log.info({ servedBy: servedBy.mode, roundStartedAt: servedBy.startedAt.toISOString() }, 'poke coalesced: a round that started after it arrived served it');
    return { kind: 'coalesced', servedBy };
  }
  if (mayDefer(marks, poke)) {
    // Queue the follow-up before recording that it is queued: never a record without the poke.
    if (!marks.followUpQueued) await deps.pokes.send([followUpPoke(deps.tenantId, deps.now())]);
    const deferred = deferPoke(marks, poke);
    await repo.save(deps.tenantId, deferred);
    log.info({ waitingGroups: deferred.waiting.size, followUpSent: !marks.followUpQueued }, 'poke coalesced into the queued follow-up round');
    return { kind: 'deferred' };
  }
  const groupIds = roundGroups(marks, poke, settings.clockSkewMs);
  const request: RoundRequest = { mode: modeOf(poke.reason), ...(groupIds.length > 0 ? { groupIds } : {}) };
  if (request.mode === 'delta' && marks.waiting.size > 0) {
    log.info({ waitingGroups: marks.waiting.size, groupsToRead: groupIds.length }, 'round for waiting pokes: groups read after their pokes are not read again');
  }
  const startedAt = deps.now();
  const recorder = recordingReader(deps.directory, deps.now);
  const report = await runDeltaRound({ ...deps, log, directory: recorder.reader }, request);
  const targeted = request.mode !== 'delta' && groupIds.length > 0;
  await repo.save(deps.tenantId, markRound(marks, poke, { mode: report.mode, targeted, startedAt, groupsRead: recorder.groupsRead() }));
  return { kind: 'round', report };
}

/** A follow-up poke that will run no more rounds: the next deferred poke must queue a new one. Best effort
 *  (the poke fails anyway); a reconcile or resync round empties the waiting list too. */
async function releaseFollowUp(deps: PokeRoundDeps, log: Logger): Promise<void> {
  try {
    const marks = await deps.store.marks.load(deps.tenantId);
    await deps.store.marks.save(deps.tenantId, { ...marks, followUpQueued: false });
  } catch (err) {
    log.warn({ err }, 'could not record that the follow-up round gave up');
  }
}
