// The last step of an on-demand sync in words: what the group status says about the change set the sync
// followed (applied, partial, failed, skipped by the relay, or still pending when the wait ended).
import type { GroupStatus } from '../../state/group-status-record.js';

export function relayResultStep(status: GroupStatus, waitMs: number): { step: 'relayResult'; ok: boolean; detail: string } {
  const done = status.lastResultSeq !== null && status.plannedSeq !== null && status.lastResultSeq >= status.plannedSeq;
  const counts = `${status.counts.membersAdded} member(s) added, ${status.counts.membersRemoved} removed`;
  const where = status.ad === null ? '' : `; ${status.ad.dn}`;
  const result = (ok: boolean, detail: string) => ({ step: 'relayResult' as const, ok, detail });
  if (!done || status.outcome === null) {
    return result(false, `still pending: no result within ${Math.round(waitMs / 1000)} s; follow GET /api/status/${status.groupId}`);
  }
  switch (status.outcome) {
    case 'applied':
      return result(true, `applied (${status.state}): ${counts}${where}`);
    case 'partial':
      return result(false, `partial: ${counts}, ${status.memberErrors.length + status.memberErrorsOmitted} member error(s)${status.reason === null ? '' : `: ${status.reason}`}${where}`);
    case 'failed':
      return result(false, `failed: ${status.error === null ? (status.reason ?? 'no reason given') : `${status.error.code}: ${status.error.message}`}`);
    case 'skipped':
      return result(true, `skipped by the relay: ${status.reason ?? status.error?.message ?? 'nothing written (staging mode?)'}`);
  }
}
