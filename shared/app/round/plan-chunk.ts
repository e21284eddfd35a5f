// Pass 2 of a round, a chunk of groups at a time: read member lists and identities, plan (planGroups: reads
// only, so a preview plans the same way: shared/app/preview/), pass the deletion guard (round-guard.ts), record
// the round journal, SEND, and only then save member entries, planned states and statuses.
import { memberDelta } from '../../domain/delta-merge.js';
import type { MemberEntry } from '../../domain/members.js';
import type { PendingCreation } from '../../domain/nested-creation.js';
import type { MemberIdentity, WritebackMessage } from '../../domain/model.js';
import { storedEntriesOf, type PlannedGroup } from '../../domain/planned-state.js';
import { membershipNeed, plan, type Membership, type PlanMode } from '../../domain/planner.js';
import type { TenantSettings } from '../../domain/settings.js';
import type { MemberId } from '../../ports/directory.js';
import { mapLimit } from '../../concurrency.js';
import { applyStatusUpdate } from '../status/group-status.js';
import { DirectoryLagError, type GroupView } from './round-groups.js';
import type { PlannedChange, RoundGuard } from './round-guard.js';
import { statusUpdateOf } from './round-status.js';
import type { DeltaRoundDeps } from './round-deps.js';
import { sendWriteback } from './writeback-sender.js';
import { recordCreations } from './nested-creations.js';

export interface ChunkContext {
  mode: PlanMode;
  settings: TenantSettings;
  /** Groups of this round that have an AD object afterwards (nested references). */
  writtenInRound: ReadonlyMap<string, boolean>;
  /** Written flags of groups outside the round, filled as needed. */
  writtenOutside: Map<string, boolean>;
  guard: RoundGuard;
  /** seqFloorAt(the round's start): the same for every group of the round. */
  seqFloor: number;
  /** Filled as chunks are sent: groups whose AD group the round asks to create (nested-creations.ts). */
  created: PendingCreation[];
}

export interface ChunkOutcome {
  planned: number;
  messages: number;
  repaired: number;
  /** Groups whose change set the deletion guard holds. */
  held: number;
}

const IO_CONCURRENCY = 8;

/** What planning reads (Graph and the planner's state); it writes nothing. */
export type PlanReadDeps = Pick<DeltaRoundDeps, 'tenantId' | 'directory' | 'store'>;

interface Need {
  view: GroupView;
  membership: Membership;
  /** Member ids (with types) whose identity must be looked up. */
  resolve: MemberId[];
}

/** The members a complete read should find, for its progress lines: what delta listed, else what was planned. */
function expectedMembers(view: GroupView): number | null {
  if (view.change !== null && view.change.members.size > 0) return [...view.change.members.values()].filter((m) => !m.removed).length;
  if (view.previous === null) return null;
  return view.previous.memberCount + Object.values(view.previous.skipped.counts).reduce((a, n) => a + (n ?? 0), 0);
}

async function memberships(deps: PlanReadDeps, ctx: ChunkContext, views: readonly GroupView[]): Promise<Need[]> {
  const lagging: string[] = [];
  const needs = await mapLimit(views, IO_CONCURRENCY, async (view): Promise<Need> => {
    let need = membershipNeed(view.previous, view.lifecycle, view.decision, ctx.mode, view.repairAfterSeq !== undefined);
    // The member changes of a held change set came with a delta that is consumed, and those beyond
    // MAX_DELTA_MEMBER_CHANGES were not kept: compare complete lists.
    if (need === 'changes' && (ctx.guard.isHeld(view.id) || view.change?.membersDropped === true)) need = 'complete';
    if (need === 'none') return { view, membership: { kind: 'none' }, resolve: [] };
    if (need === 'changes') {
      const delta = view.change === null ? { added: [], removed: [] } : memberDelta(view.change);
      const gone = new Set(delta.removed);
      // Nested groups that flipped are resolved again (as if added: the planner compares with the stored entry).
      const added = [...new Set([...delta.added, ...view.reResolve.filter((id) => !gone.has(id))])];
      const resolve = added.map((id) => ({ id, type: view.change?.members.get(id)?.type ?? (view.reResolve.includes(id) ? 'group' : null) }));
      return { view, membership: { kind: 'changes', added, removed: delta.removed, resend: view.resend }, resolve };
    }
    // complete: the group's member list read with every member's identity, one call per 999 members (also when a
    // round without token listed the members: resolving them by id would cost one request per 15).
    const expected = expectedMembers(view);
    // What delta listed of the members is not read again: let a big group's ids go before the list is read.
    view.change?.members.clear();
    const members = await deps.directory.groupMemberIdentities(view.id, expected);
    if (members === null) {
      lagging.push(view.id);
      return { view, membership: { kind: 'none' }, resolve: [] };
    }
    return { view, membership: { kind: 'complete', members }, resolve: [] };
  });
  if (lagging.length > 0) throw new DirectoryLagError(lagging);
  return needs;
}

/** Whether member groups that are not synced from AD are written back, read for those not known yet. */
async function nestedWrittenLookup(deps: PlanReadDeps, ctx: ChunkContext, identities: ReadonlyMap<string, MemberIdentity>, needs: readonly Need[]): Promise<(id: string) => boolean> {
  const cloudGroups = [...identities.values()].filter((i) => i.type === 'group' && i.onPremisesSyncEnabled !== true).map((i) => i.id);
  for (const n of needs) if (n.membership.kind === 'complete') cloudGroups.push(...n.membership.members.cloudGroupIds());
  const unknown = [...new Set(cloudGroups)].filter((id) => !ctx.writtenInRound.has(id) && !ctx.writtenOutside.has(id));
  if (unknown.length > 0) {
    const states = await deps.store.groups.loadMany(deps.tenantId, unknown);
    for (const id of unknown) ctx.writtenOutside.set(id, states.get(id)?.written ?? false);
  }
  return (id) => ctx.writtenInRound.get(id) ?? ctx.writtenOutside.get(id) ?? false;
}

/** Whether the planned state must be saved. A group first seen permanently deleted leaves no tombstone. */
function changed(prev: PlannedGroup | null, next: PlannedGroup): boolean {
  if (prev === null) return next.lifecycle !== 'hardDeleted';
  return JSON.stringify(prev) !== JSON.stringify(next);
}

/** Plans each group's change set from what Graph and the planner's state say now, in id order. Sends and saves
 *  nothing. */
export async function planGroups(deps: PlanReadDeps, ctx: ChunkContext, views: readonly GroupView[]): Promise<PlannedChange[]> {
  const { tenantId, store } = deps;
  const needs = await memberships(deps, ctx, views);

  const toResolve = new Map<string, MemberId>();
  for (const n of needs) for (const m of n.resolve) if (!toResolve.has(m.id) || toResolve.get(m.id)!.type === null) toResolve.set(m.id, m);
  const identities = toResolve.size > 0 ? await deps.directory.memberIdentities([...toResolve.values()]) : new Map<string, MemberIdentity>();
  const nestedWritten = await nestedWrittenLookup(deps, ctx, identities, needs);

  const planned: PlannedChange[] = [];
  await mapLimit(needs, IO_CONCURRENCY, async (n) => {
    let previousMembers: ReadonlyMap<string, MemberEntry> = new Map();
    if (n.membership.kind === 'changes') {
      const ids = [...n.membership.added, ...n.membership.removed, ...(n.membership.resend ?? [])];
      if (ids.length > 0) previousMembers = await store.members.load(tenantId, n.view.id, ids);
    }
    const result = plan({
      tenantId,
      groupId: n.view.id,
      mode: ctx.mode,
      previous: n.view.previous,
      previousMembers,
      lifecycle: n.view.lifecycle,
      cloud: n.view.cloud,
      membership: n.membership,
      identities,
      nestedWritten,
      settings: ctx.settings,
      seqFloor: ctx.seqFloor,
      ...(n.view.repairAfterSeq === undefined ? {} : { repairAfterSeq: n.view.repairAfterSeq }),
    });
    planned.push({ view: n.view, result });
  });
  return planned.sort((a, b) => (a.view.id < b.view.id ? -1 : a.view.id > b.view.id ? 1 : 0));
}

export async function planChunk(deps: DeltaRoundDeps, ctx: ChunkContext, views: readonly GroupView[]): Promise<ChunkOutcome> {
  const { tenantId, store, log } = deps;
  const planned = await planGroups(deps, ctx, views);
  const screened = await ctx.guard.screen(planned, deps.now(), log);
  const results = screened.proceed;
  const at = deps.now().toISOString();
  // Written whenever a held group is in a round: a hold whose status write was lost still ends up `held`.
  await mapLimit(screened.held, IO_CONCURRENCY, (held) =>
    applyStatusUpdate(deps.statuses, { kind: 'decision', tenantId, groupId: held.groupId, state: 'held', reason: held.reason, at }),
  );

  // 1. journal, 2. send, 3. save: a crash after 2 is repaired by the next round (round-journal.ts).
  const sending = results.filter((r) => r.result.messages.length > 0);
  await store.journal.record(
    tenantId,
    sending.map((r) => ({ groupId: r.view.id, lastSeq: r.result.next.seq })),
  );
  const messages: WritebackMessage[] = sending.flatMap((r) => r.result.messages);
  await sendWriteback(deps.writeback, messages);
  await recordCreations(deps, sending, ctx.created);
  for (const { view, result } of sending) {
    const kinds = [...new Set(result.messages.map((m) => m.kind))];
    const record = { groupId: view.id, firstSeq: result.messages[0]!.seq, lastSeq: result.next.seq, kinds, source: view.source, repair: view.repairAfterSeq !== undefined };
    if (kinds.includes('delete')) log.info(record, 'group delete sent');
    else log.debug(record, 'change set sent');
  }

  await mapLimit(results, IO_CONCURRENCY, async ({ view, result }) => {
    // The planned state last: until it is saved, a retry replans this group (and the journal repairs it).
    const update = statusUpdateOf(tenantId, view.previous, result, at, view.rechecked);
    if (update !== null) await applyStatusUpdate(deps.statuses, update);
    if (result.members !== null) await store.nesting.record(tenantId, view.id, await store.members.apply(tenantId, view.id, result.members, storedEntriesOf(view.previous)));
    if (changed(view.previous, result.next)) await store.groups.save(tenantId, result.next);
  });
  await ctx.guard.forget(screened.forget);

  return {
    planned: planned.length,
    messages: messages.length,
    repaired: results.filter((r) => r.view.repairAfterSeq !== undefined).length,
    held: screened.held.length,
  };
}
