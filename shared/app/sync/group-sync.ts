// On-demand sync of one group (POST /api/groups/{groupId}/sync): read and decide as the planner does (the
// preview, shared/app/preview/), then ask planChanges for the group's full state with a targeted resync poke (no
// member cap: a snapshot of every member) and follow the group status until the change set planned after the
// request has the relay's result, or the wait is over. The round itself runs in planChanges, never here: it is
// the one writer of planned state, one round at a time per tenant. Every step reports what was observed.
import { normaliseId } from '../../domain/ids.js';
import { cloudGroupKind, SKIP_REASON_TEXT } from '../../domain/policy.js';
import type { QueueSender } from '../../ports/queue.js';
import type { GroupStatus, GroupStatusStore } from '../../state/group-status-record.js';
import { sendPoke } from '../intake/pokes.js';
import { planPreview, type PlannedPreview, type PreviewDeps } from '../preview/group-preview.js';
import { actionsOf } from '../preview/preview-actions.js';
import { guardText, previousMembersOf } from '../preview/preview-view.js';
import { relayResultStep } from './sync-steps.js';

export type SyncStepName = 'readCloud' | 'decide' | 'plan' | 'send' | 'relayResult';

export interface SyncStep {
  step: SyncStepName;
  ok: boolean;
  detail: string;
  at: string;
}

export interface SyncReport {
  groupId: string;
  steps: SyncStep[];
}

export interface SyncDeps extends PreviewDeps {
  statuses: GroupStatusStore;
  /** The graph-changes queue. */
  changes: () => QueueSender;
  /** Waits between status reads. */
  wait: (ms: number) => Promise<void>;
  /** A monotonic clock in milliseconds, for the wait's deadline. */
  elapsedMs: () => number;
}

const POLL_MS = 500;

function cloudText(p: Extract<PlannedPreview, { kind: 'planned' }>): string {
  const { view } = p;
  if (view.lifecycle === 'hardDeleted') return 'permanently deleted in the cloud';
  const g = view.cloud!;
  const where = view.lifecycle === 'softDeleted' ? 'in deleted items (soft-deleted)' : 'found';
  const wb = g.writebackConfiguration;
  return `${where}: "${g.displayName ?? ''}", ${cloudGroupKind(g)}, writebackConfiguration isEnabled ${String(wb.isEnabled)}, onPremisesGroupType ${wb.onPremisesGroupType ?? 'null'}`;
}

function decisionText(p: Extract<PlannedPreview, { kind: 'planned' }>): string {
  const d = p.view.decision;
  if (d === null) return 'deleted: nothing to write';
  return d.write ? `written back as ${d.adGroupType}` : `not written back: ${SKIP_REASON_TEXT[d.reason]}`;
}

/** A change set planned after `before` (the status when the sync began). */
function plannedSince(status: GroupStatus, before: GroupStatus | null): boolean {
  return status.plannedSeq !== null && (before?.plannedSeq == null || status.plannedSeq > before.plannedSeq);
}

/** The sync's report; null when neither Graph nor the planner knows the group. Throws when the poke cannot be sent. */
export async function syncGroup(deps: SyncDeps, groupId: string, waitMs: number): Promise<SyncReport | null> {
  const id = normaliseId(groupId);
  const steps: SyncStep[] = [];
  const step = (name: SyncStepName, ok: boolean, detail: string): void => {
    steps.push({ step: name, ok, detail, at: deps.now().toISOString() });
  };
  const before = (await deps.statuses.read(deps.tenantId, id))?.status ?? null;
  const preview = await planPreview(deps, id);
  if (preview.kind === 'notFound') return null;
  if (preview.kind === 'unknown') {
    step('readCloud', false, preview.reason);
    return { groupId: id, steps };
  }
  step('readCloud', true, cloudText(preview));
  step('decide', true, decisionText(preview));
  const drafts = actionsOf(preview.view.previous, preview.result, await previousMembersOf(deps, preview.view));
  const plan = drafts.map((d) => d.detail).join('; ');
  if (preview.result.messages.length === 0) {
    step('plan', true, `nothing to send: ${plan}`);
    return { groupId: id, steps };
  }
  const guard = guardText(preview.verdict, id);
  if (preview.verdict.kind === 'held' || preview.verdict.kind === 'rejected') {
    step('plan', false, guard!);
    return { groupId: id, steps };
  }

  await sendPoke(deps.changes(), deps.tenantId, 'resync', deps.now(), [id]);
  const deadline = deps.elapsedMs() + waitMs;
  let planned: GroupStatus | null = null;
  let held: GroupStatus | null = null;
  for (;;) {
    const status = (await deps.statuses.read(deps.tenantId, id))?.status ?? null;
    if (status !== null && plannedSince(status, before)) {
      // A later change set (a notification's round meanwhile) is followed instead: the newest one counts.
      if (planned?.plannedSeq !== status.plannedSeq) step('plan', true, `planned (${plan}): seqs ${status.batchFirstSeq ?? '?'}..${status.plannedSeq}`);
      planned = status;
      if (status.lastResultSeq !== null && status.lastResultSeq >= status.plannedSeq!) break;
    } else if (status?.state === 'held' && status.updatedAt !== before?.updatedAt) {
      held = status;
      break;
    }
    const left = deadline - deps.elapsedMs();
    if (left <= 0) break;
    await deps.wait(Math.min(POLL_MS, left));
  }
  if (held !== null) {
    step('plan', false, `held by the deletion guard: ${held.reason ?? guard ?? ''}`);
    return { groupId: id, steps };
  }
  if (planned === null) {
    step('plan', false, `not planned within ${Math.round(waitMs / 1000)} s: planChanges has not run the round yet (busy, or retrying a failed round); follow GET /api/status/${id}`);
    return { groupId: id, steps };
  }
  step('send', true, `sent to the writeback queue as messages ${id}:${planned.batchFirstSeq ?? '?'}..${id}:${planned.plannedSeq}`);
  steps.push({ ...relayResultStep(planned, waitMs), at: deps.now().toISOString() });
  return { groupId: id, steps };
}
