// The safety net: Graph gives up delivering a notification after its retries, and a subscription can vanish
// without a word; such a change would wait for the next unrelated notification or the reconcile timer. A timer
// asks often whether a round over the whole tenant started within the tenant's safetyNetSeconds (round marks,
// shared/state/round-marks.ts): a round that started then leaves no change older than that. When none did, it
// sends a delta poke, coalesced like any other. It does not depend on notifications at all, so any change lands
// within safetyNetSeconds + the timer's tick + one round; with notifications flowing it sends nothing.
import type { QueueSender } from '../../ports/queue.js';
import type { PlannerStore } from '../../state/planner-store.js';
import type { RoundMarks } from '../../state/round-marks.js';
import { sendPoke } from '../intake/pokes.js';

export interface SafetyNetDeps {
  tenantId: string;
  store: Pick<PlannerStore, 'marks' | 'safetyNet' | 'settings'>;
  /** The graph-changes queue. */
  pokes: QueueSender;
  now: () => Date;
}

export interface SafetyNetState {
  /** The newest successful round over the whole tenant (delta, full or reconcile), or null. */
  lastRoundStart: Date | null;
  /** The safety net's last poke, or null. */
  lastPoke: Date | null;
  safetyNetSeconds: number;
}

export type SafetyNetOutcome = SafetyNetState & { poked: boolean };

export function lastRoundStart(marks: RoundMarks): Date | null {
  const starts = [marks.delta, marks.full, marks.reconcile].filter((d) => d !== null).map((d) => d.getTime());
  return starts.length === 0 ? null : new Date(Math.max(...starts));
}

/** Due when no round started and no safety-net poke was sent for more than safetyNetSeconds. The second
 *  condition keeps it to one poke per period while rounds fail or one long round runs (neither records a start). */
export function safetyNetDue(state: SafetyNetState, now: Date): boolean {
  const old = (at: Date | null): boolean => at === null || now.getTime() - at.getTime() > state.safetyNetSeconds * 1000;
  return old(state.lastRoundStart) && old(state.lastPoke);
}

/** One tick: a safety-net poke on graph-changes when due. */
export async function runSafetyNet(deps: SafetyNetDeps): Promise<SafetyNetOutcome> {
  const [marks, lastPoke, settings] = await Promise.all([
    deps.store.marks.load(deps.tenantId),
    deps.store.safetyNet.lastPoke(deps.tenantId),
    deps.store.settings.load(deps.tenantId),
  ]);
  const state: SafetyNetState = { lastRoundStart: lastRoundStart(marks), lastPoke, safetyNetSeconds: settings.safetyNetSeconds };
  const now = deps.now();
  if (!safetyNetDue(state, now)) return { ...state, poked: false };
  // Send before recording: a lost record costs one more poke, a lost poke a whole period.
  await sendPoke(deps.pokes, deps.tenantId, 'safetyNet', now);
  await deps.store.safetyNet.savePoke(deps.tenantId, now);
  return { ...state, poked: true };
}
