// Pass 1 of a round: which groups to plan, and what each one looks like now (lifecycle, current cloud
// properties with writebackConfiguration, the decision the policy takes). Reads are batched. A planned group
// that cannot be found is permanently deleted only on positive evidence (delta's `@removed: deleted`, or a
// deletion confirmed over time: shared/domain/recheck.ts); otherwise it is unknown and not planned.
import { cloudGroupFrom, lifecycleOf, type MergedGroupChange } from '../../domain/delta-merge.js';
import type { CloudGroup, GroupLifecycle } from '../../domain/model.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import { decisionFor } from '../../domain/planner.js';
import type { WritebackDecision } from '../../domain/policy.js';
import { judgeGone, type RecheckEntry } from '../../domain/recheck.js';
import type { TenantSettings } from '../../domain/settings.js';
import type { DirectoryReader } from '../../ports/directory.js';

/** Why a group is in the round (recheck: an unknown group checked again; held: an approved held change set,
 *  see round-guard.ts). */
export type GroupSource = 'delta' | 'hint' | 'missing' | 'repair' | 'requested' | 'nested' | 'recheck' | 'held';

export interface GroupView {
  id: string;
  source: GroupSource;
  change: MergedGroupChange | null;
  previous: PlannedGroup | null;
  lifecycle: GroupLifecycle;
  cloud: CloudGroup | null;
  decision: WritebackDecision | null;
  /** Crash recovery: the last seq a lost round may have sent. */
  repairAfterSeq: number | undefined;
  /** Nested cloud groups whose written-back state flipped in this round: resolve them again. */
  reResolve: string[];
  /** Nested cloud groups whose AD group landed since this group referenced them: send the reference again. */
  resend: string[];
  /** The group was on the recheck list: found again (or its deletion confirmed), its status is restated. */
  rechecked: boolean;
}

/** A group that could not be found without evidence that it is gone: not planned, rechecked later. */
export interface UnknownGroup {
  id: string;
  verdict: Extract<ReturnType<typeof judgeGone>, { kind: 'unknown' }>;
}

/** What the round knows besides the groups themselves. */
export interface ViewContext {
  directory: DirectoryReader;
  previous: ReadonlyMap<string, PlannedGroup>;
  /** Last seq a lost round may have sent, per group (round journal and recheck list). */
  repairs: ReadonlyMap<string, number>;
  settings: TenantSettings;
  rechecks: ReadonlyMap<string, RecheckEntry>;
  now: Date;
}

/** Graph listed a group in delta that it cannot read yet (replication lag): the round is retried later. */
export class DirectoryLagError extends Error {
  constructor(readonly groupIds: string[]) {
    super(`Graph does not return ${groupIds.length} group(s) the delta round listed (replication lag?): ${groupIds.slice(0, 5).join(', ')}`);
    this.name = 'DirectoryLagError';
  }
}

export interface Candidate {
  id: string;
  source: GroupSource;
  change: MergedGroupChange | null;
  reResolve?: string[];
  resend?: string[];
}

/** Reads what is needed and returns the views in a stable order (by id), and the groups left unknown. */
export async function viewGroups(ctx: ViewContext, candidates: readonly Candidate[]): Promise<{ views: GroupView[]; unknown: UnknownGroup[] }> {
  const { directory, previous, repairs, settings } = ctx;
  const initial = new Map<string, GroupLifecycle>();
  for (const c of candidates) initial.set(c.id, c.change ? lifecycleOf(c.change) : 'present');
  // A parent planned only to resolve a nested group again changed nothing itself: its planned view is current.
  const fromState = (c: Candidate): boolean => c.source === 'nested' && previous.get(c.id)?.cloud != null;
  const toRead = candidates.filter((c) => initial.get(c.id) === 'present' && !fromState(c)).map((c) => c.id);
  const reads = await directory.readGroups(toRead);
  const notFound = toRead.filter((id) => reads.get(id)?.kind !== 'found');
  const softDeleted = notFound.length > 0 ? await directory.deletedGroups(notFound) : new Set<string>();

  const lagging: string[] = [];
  const views: GroupView[] = [];
  const unknown: UnknownGroup[] = [];
  for (const c of [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const prev = previous.get(c.id) ?? null;
    let lifecycle = fromState(c) ? prev!.lifecycle : initial.get(c.id)!;
    const read = reads.get(c.id);
    const journaled = repairs.get(c.id);
    const repairAfterSeq = journaled !== undefined && (prev?.seq ?? 0) < journaled ? journaled : undefined;
    if (lifecycle === 'present' && !fromState(c) && read?.kind !== 'found') {
      if (softDeleted.has(c.id)) lifecycle = 'softDeleted';
      else if (c.source === 'delta') {
        lagging.push(c.id);
        continue;
      } else if (prev === null) continue; // a hint or request for a group that does not exist
      else if (prev.lifecycle === 'hardDeleted') lifecycle = 'hardDeleted'; // known deleted already
      else {
        // Gone without a deletion notice: unknown until confirmed (never a delete on a read alone).
        const verdict = judgeGone(c.id, ctx.rechecks.get(c.id), ctx.now, repairAfterSeq ?? 0);
        if (verdict.kind === 'unknown') {
          unknown.push({ id: c.id, verdict });
          continue;
        }
        lifecycle = 'hardDeleted';
      }
    }
    const cloud = lifecycle === 'hardDeleted' ? null : cloudGroupFrom(c.id, prev?.cloud, c.change?.props, read?.kind === 'found' ? read.group : null);
    const decision = decisionFor(cloud, lifecycle, settings, prev);
    const rechecked = ctx.rechecks.has(c.id);
    views.push({ id: c.id, source: c.source, change: c.change, previous: prev, lifecycle, cloud, decision, repairAfterSeq, reResolve: c.reResolve ?? [], resend: c.resend ?? [], rechecked });
  }
  if (lagging.length > 0) throw new DirectoryLagError(lagging);
  return { views, unknown };
}

/** Whether a group's written-back state changes in this round (its parents must resolve it again). */
export function writtenFlips(v: GroupView): boolean {
  const before = (v.previous?.written ?? false) && v.previous?.lifecycle !== 'hardDeleted';
  return before !== writtenAfterRound(v);
}

/** Whether a group has (or keeps) an AD object after this round: nested references to it are written. */
export function writtenAfterRound(v: GroupView): boolean {
  if (!v.decision?.write) return false;
  if (v.lifecycle === 'present') return true;
  return v.lifecycle === 'softDeleted' && (v.previous?.written ?? false);
}
