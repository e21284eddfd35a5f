// The deletion guard inside a round (rules: shared/domain/deletion-guard.ts). Before a chunk's change sets
// are sent, each group's change set is costed: one that deletes the group or removes members goes while the
// window has room (and is counted), or is held whole: nothing sent, planned state not advanced, a held record
// saved, status `held`. Later rounds keep holding it quietly; an admin's approval releases it (counted); a
// cloud change after which it removes nothing drops the record. An admin's rejection keeps the record: the same
// change set (same fingerprint of its effect) is then neither sent nor held, and the status keeps saying it was
// rejected; a different one is decided anew. Holds and window are saved before any send.
import { createHash } from 'node:crypto';
import { changeSetEffect, costOf, effectJsonPieces, needsPreviousMembers, type ChangeSetEffect } from '../../domain/guard-cost.js';
import {
  heldKindOf,
  heldReason,
  mayRelease,
  recordRelease,
  removesNothing,
  usedInWindow,
  type GuardCost,
  type GuardThresholds,
  type HeldChange,
} from '../../domain/deletion-guard.js';
import type { PlanResult } from '../../domain/planner.js';
import { sortedIds } from '../../domain/sorted-ids.js';
import { storedEntriesOf } from '../../domain/planned-state.js';
import { mapLimit } from '../../concurrency.js';
import type { Logger } from '../../logging.js';
import type { StoredGuardWindow } from '../../state/guard-window.js';
import type { StoredHeldChange } from '../../state/held-changes.js';
import type { PlannerStore } from '../../state/planner-store.js';
import type { Candidate, GroupView } from './round-groups.js';

export interface PlannedChange {
  view: GroupView;
  result: PlanResult;
}

export interface Screened {
  proceed: PlannedChange[];
  /** Held (new or kept): their status must say `held` with the record's reason. */
  held: HeldChange[];
  /** Held records to forget once the chunk is saved: released, or removing nothing any more. */
  forget: string[];
}

/** What the guard would do with a planned change set now (a preview: nothing is saved). */
export type GuardVerdict =
  | { kind: 'release'; cost: GuardCost }
  | { kind: 'hold'; cost: GuardCost; reason: string }
  | { kind: 'held'; held: HeldChange }
  | { kind: 'rejected'; held: HeldChange };

const IO_CONCURRENCY = 8;

/** A stable digest of a change set's effect: the sha256 of its JSON, fed piece by piece (a big group's id lists
 *  are long). The same digest as before, so the fingerprints of stored rejections still match. */
function effectFingerprint(effect: ChangeSetEffect): string {
  const hash = createHash('sha256');
  for (const piece of effectJsonPieces(effect)) hash.update(piece);
  return hash.digest('base64url');
}

export class RoundGuard {
  private constructor(
    private readonly tenantId: string,
    private readonly store: PlannerStore,
    private readonly thresholds: GuardThresholds,
    private window: StoredGuardWindow,
    private readonly records: Map<string, StoredHeldChange>,
  ) {}

  static async load(store: PlannerStore, tenantId: string, thresholds: GuardThresholds): Promise<RoundGuard> {
    const [window, held] = await Promise.all([store.guardWindow.load(tenantId), store.held.list(tenantId)]);
    return new RoundGuard(tenantId, store, thresholds, window, new Map(held.map((h) => [h.held.groupId, h])));
  }

  /** A held (or rejected) group's delta was consumed by the round that held it: plan it from its complete
   *  member list. */
  isHeld(groupId: string): boolean {
    return this.records.has(groupId);
  }

  /**
   * Brings held groups into the round: approved ones (this round releases them) and, for a held permanent
   * deletion already in the round, the evidence its consumed delta gave. A release starts after the seqs a
   * lost round may have used (the journal entry the hold outlived). Returns the ids it added.
   */
  joinRound(candidates: Map<string, Candidate>, journal: Map<string, number>): string[] {
    const added: string[] = [];
    for (const { held } of this.records.values()) {
      const id = held.groupId;
      const inRound = candidates.get(id);
      if (inRound === undefined && held.approvedAt === null) continue;
      if (inRound === undefined) added.push(id);
      if (held.afterSeq > (journal.get(id) ?? 0)) journal.set(id, held.afterSeq);
      const evidence = held.lifecycle === 'hardDeleted' ? { id, props: {}, removed: 'deleted' as const, members: new Map() } : null;
      candidates.set(id, { ...(inRound ?? { id, source: 'held' }), change: evidence ?? inRound?.change ?? null });
    }
    return added;
  }

  /** The cost and fingerprint of a planned change set (reads the previous plan's members when needed). */
  private async assess({ view, result }: PlannedChange): Promise<{ cost: GuardCost; fingerprint: string }> {
    // The rows are the previous plan's, or an unsaved attempt's at this replacement (see MemberEntryRepository.apply).
    const storedBound = storedEntriesOf(view.previous) + (result.members?.kind === 'replace' ? result.members.entries.size : 0);
    const written = needsPreviousMembers(view.previous, result.messages) ? await this.store.members.writtenIds(this.tenantId, view.id, storedBound) : sortedIds([]);
    // A replacement's entries with a reference are the snapshot's members, held compact by the planner.
    const snapshotIds = result.members?.kind === 'replace' ? result.members.entries.refIds() : undefined;
    const effect = changeSetEffect(view.previous, result.messages, written, snapshotIds);
    return { cost: costOf(view.previous, effect), fingerprint: effectFingerprint(effect) };
  }

  /** The record that still stands for this change set: a rejected one only while the change set is the same. */
  private standing(id: string, fingerprint: string): { record: StoredHeldChange | undefined; rejected: boolean; replaces: StoredHeldChange | undefined } {
    const record = this.records.get(id);
    if (record?.held.rejectedAt == null) return { record, rejected: false, replaces: undefined };
    if (record.held.fingerprint === fingerprint) return { record, rejected: true, replaces: undefined };
    return { record: undefined, rejected: false, replaces: record };
  }

  /** What screen() would decide for one change set now, without saving anything. */
  async verdict(p: PlannedChange, now: Date): Promise<GuardVerdict> {
    const { cost, fingerprint } = await this.assess(p);
    const { record, rejected } = this.standing(p.view.id, fingerprint);
    if (rejected) return { kind: 'rejected', held: record!.held };
    if (removesNothing(cost) || record?.held.approvedAt != null) return { kind: 'release', cost };
    if (record !== undefined) return { kind: 'held', held: record.held };
    if (mayRelease(this.window.window, this.thresholds, cost, now)) return { kind: 'release', cost };
    return { kind: 'hold', cost, reason: heldReason(cost, usedInWindow(this.window.window, now), this.thresholds) };
  }

  /** Decides for a chunk's planned change sets (in order: the window fills group by group) and saves the holds
   *  and the window before the caller sends anything. */
  async screen(planned: readonly PlannedChange[], now: Date, log: Logger): Promise<Screened> {
    const assessed = await mapLimit(planned, IO_CONCURRENCY, (p) => this.assess(p));
    const out: Screened = { proceed: [], held: [], forget: [] };
    const writes: { held: HeldChange; etag: string | null }[] = [];
    let window = this.window.window;
    planned.forEach((p, i) => {
      const { cost, fingerprint } = assessed[i]!;
      const id = p.view.id;
      const groupLog = log.child({ groupId: id });
      const { record: stored, rejected, replaces } = this.standing(id, fingerprint);
      // Rejected by an admin and still the same change set: neither sent nor held (the status says rejected).
      if (rejected) return;
      if (replaces !== undefined) groupLog.info({ kind: replaces.held.kind }, 'rejected change set differs now (the cloud changed): the guard decides anew');
      if (removesNothing(cost)) {
        if (stored !== undefined || replaces !== undefined) {
          out.forget.push(id);
          groupLog.info({ kind: (stored ?? replaces)!.held.kind }, 'held change set removes nothing any more: dropped, the group proceeds');
        }
        out.proceed.push(p);
        return;
      }
      const approved = stored !== undefined && stored.held.approvedAt !== null;
      if (approved || (stored === undefined && mayRelease(window, this.thresholds, cost, now))) {
        window = recordRelease(window, cost, now);
        if (approved || replaces !== undefined) out.forget.push(id);
        if (approved) groupLog.info({ ...cost }, 'approved held change set released');
        out.proceed.push(p);
        return;
      }
      const kind = heldKindOf(cost);
      const reason = heldReason(cost, usedInWindow(window, now), this.thresholds);
      if (stored !== undefined) {
        const same = stored.held.kind === kind && stored.held.deletions === cost.deletions && stored.held.memberRemovals === cost.memberRemovals && stored.held.fingerprint === fingerprint;
        const held = same ? stored.held : { ...stored.held, kind, ...cost, reason, lifecycle: p.view.lifecycle, fingerprint };
        if (!same) writes.push({ held, etag: stored.etag });
        out.held.push(held);
        return;
      }
      const afterSeq = Math.max(p.view.previous?.seq ?? 0, p.view.repairAfterSeq ?? 0);
      const held: HeldChange = {
        groupId: id,
        kind,
        ...cost,
        reason,
        lifecycle: p.view.lifecycle,
        afterSeq,
        fingerprint,
        heldAt: now.toISOString(),
        approvedAt: null,
        rejectedAt: null,
        rejectedBy: null,
      };
      writes.push({ held, etag: replaces?.etag ?? null });
      out.held.push(held);
      groupLog.warn({ kind, ...cost }, 'change set held by the deletion guard: it waits for an admin');
    });

    // Holds first: a failure after them re-counts nothing; a failure after the window would re-count releases.
    await mapLimit(writes, IO_CONCURRENCY, async ({ held, etag }) => {
      if (!(await this.store.held.save(this.tenantId, held, etag))) {
        log.info({ groupId: held.groupId }, 'held change set changed meanwhile (approved?): the next round takes it up');
      }
    });
    if (JSON.stringify(window) !== JSON.stringify(this.window.window)) {
      this.window = { window, etag: await this.store.guardWindow.save(this.tenantId, window, this.window.etag) };
    }
    return out;
  }

  /** Forgets held records once their group's change set is sent and saved. */
  async forget(groupIds: readonly string[]): Promise<void> {
    await mapLimit(groupIds, IO_CONCURRENCY, async (id) => {
      await this.store.held.forget(this.tenantId, id);
      this.records.delete(id);
    });
  }
}
