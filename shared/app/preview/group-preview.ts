// What the planner would do to one group now, without sending or saving anything: the planner's own path
// (view -> decision -> plan, shared/app/round/) run as a targeted full round would run it (the group's complete
// state, as a resync sends it), and the deletion guard's verdict on the result. Reads Graph and the planner's
// state only, so it never races planChanges (the one writer of planned state, one round at a time per tenant).
import { isGuid, normaliseId } from '../../domain/ids.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import { seqFloorAt, type PlanResult } from '../../domain/planner.js';
import { unknownReason } from '../../domain/recheck.js';
import { effectiveSettings, type TenantSettings } from '../../domain/settings.js';
import type { DirectoryReader } from '../../ports/directory.js';
import type { PlannerStore } from '../../state/planner-store.js';
import { planGroups, type ChunkContext } from '../round/plan-chunk.js';
import { RoundGuard, type GuardVerdict } from '../round/round-guard.js';
import { viewGroups, writtenAfterRound, type Candidate, type GroupView } from '../round/round-groups.js';
import { repairSeqs } from '../round/run-round.js';

export interface PreviewDeps {
  tenantId: string;
  directory: DirectoryReader;
  store: PlannerStore;
  now: () => Date;
}

export type PlannedPreview =
  /** Neither Graph nor the planner knows the group. */
  | { kind: 'notFound' }
  /** Planned before, not found now without a deletion notice: nothing is sent until rechecks decide. */
  | { kind: 'unknown'; previous: PlannedGroup | null; reason: string }
  | { kind: 'planned'; view: GroupView; result: PlanResult; verdict: GuardVerdict; settings: TenantSettings };

export async function planPreview(deps: PreviewDeps, groupId: string): Promise<PlannedPreview> {
  if (!isGuid(groupId)) throw new RangeError(`not a group id: ${groupId}`);
  const id = normaliseId(groupId);
  const { tenantId, store, directory } = deps;
  const now = deps.now();
  const settings = effectiveSettings(await store.settings.load(tenantId), await directory.unifiedGroupWritebackDefault());
  const [journal, rechecks, previous] = await Promise.all([store.journal.read(tenantId), store.rechecks.list(tenantId), store.groups.loadMany(tenantId, [id])]);
  const guard = await RoundGuard.load(store, tenantId, settings);

  // As a round would see it: a held permanent deletion brings its evidence, a hold or the journal its repair seq.
  const candidates = new Map<string, Candidate>([[id, { id, source: 'requested', change: null }]]);
  const seqs = new Map(journal);
  guard.joinRound(candidates, seqs);
  const candidate = candidates.get(id)!;
  const ctx = { directory, previous, repairs: repairSeqs(seqs, rechecks), settings, rechecks, now };
  const { views, unknown } = await viewGroups(ctx, [candidate]);
  const view = views[0];
  if (view === undefined) {
    const gone = unknown[0];
    return gone === undefined ? { kind: 'notFound' } : { kind: 'unknown', previous: previous.get(id) ?? null, reason: unknownReason(gone.verdict.entry) };
  }
  const chunk: ChunkContext = {
    mode: 'full',
    settings,
    writtenInRound: new Map([[id, writtenAfterRound(view)]]),
    writtenOutside: new Map(),
    guard,
    seqFloor: seqFloorAt(now.getTime()),
    // A preview sends nothing, so it records no AD group being created (nested-creations.ts).
    created: [],
  };
  const [planned] = await planGroups(deps, chunk, [view]);
  return { kind: 'planned', view, result: planned!.result, verdict: await guard.verdict(planned!, now), settings };
}
