// One delta round for a tenant (planChanges runs one at a time per tenant: the graph-changes queue is
// session-enabled with sessionId = tenantId). Read the token, run Graph delta (a round without token when
// there is none, Graph refused it, the settings changed, or a resync/reconcile was asked for), merge the
// pages per group, read what delta does not carry, plan per group, SEND the change sets, and only after the
// sends save the planned states, the new deltaLink and clear the round journal. Groups that cannot be found
// without a deletion notice are not planned: they go on the recheck list (rechecks.ts), which every round reads.
import { mergeDeltaItems, type MergedGroupChange } from '../../domain/delta-merge.js';
import { MAX_DELTA_MEMBER_CHANGES } from '../../domain/limits.js';
import { isGuid, normaliseId } from '../../domain/ids.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import type { RecheckEntry } from '../../domain/recheck.js';
import { seqFloorAt, type PlanMode } from '../../domain/planner.js';
import { effectiveSettings, settingsFingerprint } from '../../domain/settings.js';
import type { Logger } from '../../logging.js';
import { planChunk, type ChunkContext } from './plan-chunk.js';
import type { DeltaRoundDeps } from './round-deps.js';
import { settleRechecks } from './rechecks.js';
import { RoundGuard } from './round-guard.js';
import { viewGroups, writtenAfterRound, writtenFlips, type Candidate, type ViewContext } from './round-groups.js';
import { checkCreations, postponeLanded, settleCreations } from './nested-creations.js';
import { joinParents } from './nested-parents.js';

export interface RoundRequest {
  /** delta: a notification; full: resync after lost notifications or token; reconcile: drift repair. */
  mode: PlanMode;
  /** delta: groups a notification named (read even when the delta does not list them, e.g. a change of
   *  writebackConfiguration, which v1.0 delta does not track). full/reconcile: resync only these groups. */
  groupIds?: readonly string[];
}

export interface RoundReport {
  tenantId: string;
  mode: PlanMode;
  /** Why the mode is what it is. */
  reason: string;
  deltaPages: number;
  groupsInDelta: number;
  groupsPlanned: number;
  messagesSent: number;
  repaired: number;
  /** Groups not found without a deletion notice: not planned, on the recheck list. */
  groupsUnknown: number;
  /** Groups whose change set the deletion guard holds. */
  held: number;
  tokenSaved: boolean;
}

const DEFAULT_CHUNK = 200;

/** Group ids from a poke: hints from notifications or an admin's list. Anything but a GUID is dropped. */
function groupIdsOf(request: RoundRequest, log: Logger): string[] {
  const ids = (request.groupIds ?? []).map(normaliseId);
  const valid = ids.filter(isGuid);
  if (valid.length < ids.length) log.warn({ dropped: ids.length - valid.length }, 'poke named group ids that are not GUIDs; ignored');
  return [...new Set(valid)];
}

export async function runDeltaRound(deps: DeltaRoundDeps, request: RoundRequest): Promise<RoundReport> {
  const { tenantId, store, directory } = deps;
  const log = deps.log.child({ tenantId });
  const seqFloor = seqFloorAt(deps.now().getTime());
  const stored = await store.settings.load(tenantId);
  const settings = effectiveSettings(stored, await directory.unifiedGroupWritebackDefault());
  const fingerprint = settingsFingerprint(settings);
  const token = await store.tokens.load(tenantId);
  const journal = await store.journal.read(tenantId);
  const rechecks = await store.rechecks.list(tenantId);
  const named = groupIdsOf(request, log);
  const targeted = request.mode !== 'delta' && named.length > 0;

  let mode = request.mode;
  let reason: string = request.mode === 'delta' ? 'notification' : request.mode === 'full' ? 'resync requested' : 'reconcile requested';
  if (!targeted && mode === 'delta' && token === null) [mode, reason] = ['full', 'no delta token yet'];
  else if (!targeted && mode === 'delta' && token!.settingsFingerprint !== fingerprint) [mode, reason] = ['full', 'tenant settings changed: every group is evaluated again'];

  // ---- delta ---------------------------------------------------------------------------------------
  let merged = new Map<string, MergedGroupChange>();
  let deltaLink: string | null = null;
  let deltaPages = 0;
  if (!targeted) {
    // A round without token reads every written group's complete member list with the identities (plan-chunk.ts):
    // the member ids its enumeration lists are not kept (a big group's would be held for the whole round).
    const collect = (items: Parameters<typeof mergeDeltaItems>[1]): void => {
      const keepMembers = mode === 'delta';
      const normalised = items.map((i) => {
        const id = normaliseId(i.id);
        // A group past MAX_DELTA_MEMBER_CHANGES is read whole: its further member changes are not even copied.
        const keep = keepMembers && merged.get(id)?.membersDropped !== true;
        return { ...i, id, members: keep ? i.members.map((m) => ({ ...m, id: normaliseId(m.id) })) : [] };
      });
      mergeDeltaItems(merged, normalised, MAX_DELTA_MEMBER_CHANGES);
    };
    let outcome = await directory.groupsDelta(mode === 'delta' ? token!.deltaLink : null, collect);
    if (outcome.kind === 'resetRequired') {
      log.warn({ reason: outcome.reason }, 'Graph refused the delta token: full round');
      [mode, reason] = ['full', `delta token refused (${outcome.reason})`];
      merged = new Map();
      outcome = await directory.groupsDelta(null, collect);
      if (outcome.kind === 'resetRequired') throw new Error(`Graph refused a delta round without token: ${outcome.reason}`);
    }
    deltaLink = outcome.deltaLink;
    deltaPages = outcome.pages;
  }
  const enumerated = !targeted && mode !== 'delta';

  // ---- which groups --------------------------------------------------------------------------------
  const candidates = new Map<string, Candidate>();
  for (const [id, change] of merged) candidates.set(id, { id, source: 'delta', change });
  if (targeted) for (const id of named) candidates.set(id, { id, source: 'requested', change: null });
  if (mode === 'delta') for (const id of named) if (!candidates.has(id)) candidates.set(id, { id, source: 'hint', change: null });
  for (const id of rechecks.keys()) if (!candidates.has(id)) candidates.set(id, { id, source: 'recheck', change: null });

  let previous: Map<string, PlannedGroup>;
  if (enumerated) {
    // Every planned group: those the enumeration no longer lists were deleted (or are unreadable).
    previous = new Map((await store.groups.list(tenantId)).map((g) => [g.groupId, g]));
    for (const g of previous.values()) {
      const gone = g.lifecycle === 'hardDeleted' && !g.written;
      if (!candidates.has(g.groupId) && !gone) candidates.set(g.groupId, { id: g.groupId, source: 'missing', change: null });
    }
  } else {
    previous = await store.groups.loadMany(tenantId, [...candidates.keys(), ...journal.keys()]);
  }
  for (const [id, seq] of journal) {
    if (!candidates.has(id) && (previous.get(id)?.seq ?? 0) < seq) candidates.set(id, { id, source: 'repair', change: null });
  }
  const guard = await RoundGuard.load(store, tenantId, settings);
  const joined = guard.joinRound(candidates, journal).filter((id) => !previous.has(id));
  if (joined.length > 0) for (const [id, g] of await store.groups.loadMany(tenantId, joined)) previous.set(id, g);

  // ---- pass 1: current view and decision of every group --------------------------------------------
  // A group left unknown keeps what a lost round may have sent in its recheck entry (the journal is cleared).
  const repairs = repairSeqs(journal, rechecks);
  const viewCtx: ViewContext = { directory, previous, repairs, settings, rechecks, now: deps.now() };
  const { views, unknown } = await viewGroups(viewCtx, [...candidates.values()]);
  // Parents of nested groups that flip or whose AD group landed (nested-parents.ts, nested-creations.ts).
  const checked = await checkCreations({ ...deps, log }, deps.now());
  const nested = { flipped: views.filter(writtenFlips).map((v) => v.id), landed: checked.landed.map((p) => p.groupId) };
  const parents = await joinParents(deps, viewCtx, views, new Set(unknown.map((u) => u.id)), nested);
  const creations = postponeLanded(checked, parents.notResent, deps.now());
  views.push(...parents.views);
  unknown.push(...parents.unknown);
  views.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ctx: ChunkContext = {
    mode,
    settings,
    writtenInRound: new Map(views.map((v) => [v.id, writtenAfterRound(v)])),
    writtenOutside: new Map(),
    guard,
    seqFloor,
    created: [],
  };
  log.info({ mode, reason, deltaPages, groupsInDelta: merged.size, groups: views.length, unknown: unknown.length }, 'delta round planning');

  // ---- pass 2: plan, send, save, chunk by chunk ---------------------------------------------------------
  const chunkSize = deps.chunkSize ?? DEFAULT_CHUNK;
  let planned = 0;
  let messages = 0;
  let repaired = 0;
  let held = 0;
  const planningFrom = deps.now().getTime();
  for (let i = 0; i < views.length; i += chunkSize) {
    const outcome = await planChunk({ ...deps, log }, ctx, views.slice(i, i + chunkSize));
    planned += outcome.planned;
    messages += outcome.messages;
    repaired += outcome.repaired;
    held += outcome.held;
    // Long rounds (an initial sync) report how far they are and how fast they go.
    const seconds = (deps.now().getTime() - planningFrom) / 1000;
    const groupsPerSecond = seconds > 0 ? Math.round((planned / seconds) * 10) / 10 : null;
    if (views.length > chunkSize) log.info({ planned, of: views.length, messages, groupsPerSecond }, 'delta round progress');
  }

  // ---- the round is done: unknown groups remembered, the token moves on, the journal is obsolete ----------
  await settleRechecks({ ...deps, log }, rechecks, unknown);
  await settleCreations({ ...deps, log }, creations, ctx.created);
  let tokenSaved = false;
  if (deltaLink !== null) {
    await store.tokens.save(tenantId, { deltaLink, settingsFingerprint: fingerprint, savedAt: deps.now().toISOString() });
    tokenSaved = true;
  }
  await store.journal.clear(tenantId);
  const report: RoundReport = {
    tenantId,
    mode,
    reason,
    deltaPages,
    groupsInDelta: merged.size,
    groupsPlanned: planned,
    messagesSent: messages,
    repaired,
    groupsUnknown: unknown.length,
    held,
    tokenSaved,
  };
  log.info(report, 'delta round done');
  return report;
}

/** The last seq a lost round may have sent per group: the journal's, or a recheck entry's (kept for a group left
 *  unknown when the journal was cleared). */
export function repairSeqs(journal: ReadonlyMap<string, number>, rechecks: ReadonlyMap<string, RecheckEntry>): Map<string, number> {
  const repairs = new Map(journal);
  for (const e of rechecks.values()) if (e.repairAfterSeq > (repairs.get(e.groupId) ?? 0)) repairs.set(e.groupId, e.repairAfterSeq);
  return repairs;
}
