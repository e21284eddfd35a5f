// The applied watermark: the seq of the newest change set applied to a group, kept on the AD group itself
// (WATERMARK_ATTRIBUTE; docs/relay.md#applied-watermark says why this attribute), so it survives relay
// restarts and every relay sees it. A change set older than the watermark is stale: it is not applied (an
// old change set resubmitted from the dead-letter queue must not roll AD back). The watermark moves by
// compare-and-swap (delete the value read, add the new one, in the same modify as the header change), so
// two relays on one group (after a lost session lock) cannot move it backwards.
import { Attribute, Change } from 'ldapts';
import type { AdIdentity, ApplyResult } from './apply-result.js';

/** In every AD's base schema on group objects (Authorization Manager data; unused by written-back groups). */
export const WATERMARK_ATTRIBUTE = 'msDS-AzApplicationData';
const PREFIX = 'group-writeback applied-seq=';

export interface Watermark {
  /** The attribute's value as read (needed to swap it); null when absent. */
  raw: string | null;
  /** The applied seq; null when absent or not ours. */
  seq: number | null;
}

export function readWatermark(raw: string | null): Watermark {
  const digits = raw?.startsWith(PREFIX) ? raw.slice(PREFIX.length) : '';
  const seq = /^\d{1,16}$/.test(digits) ? Number(digits) : null;
  return { raw, seq: seq !== null && Number.isSafeInteger(seq) ? seq : null };
}

export function watermarkValue(seq: number): string {
  return `${PREFIX}${seq}`;
}

/** The seq already applied when `seq` is older than it (stale), else null. Replaying the applied seq is not stale. */
export function appliedAfter(watermark: Watermark, seq: number): number | null {
  return watermark.seq !== null && seq < watermark.seq ? watermark.seq : null;
}

/** Modify operations moving the watermark from `current` to `seq` (none when it is there already). */
export function watermarkChanges(current: Watermark, seq: number): Change[] {
  const value = watermarkValue(seq);
  if (current.raw === value) return [];
  const change = (operation: 'add' | 'delete', v: string): Change =>
    new Change({ operation, modification: new Attribute({ type: WATERMARK_ATTRIBUTE, values: [v] }) });
  return current.raw === null ? [change('add', value)] : [change('delete', current.raw), change('add', value)];
}

/** A stale change set: nothing written, completed (it is old, not wrong). */
export function staleResult(ad: AdIdentity, seq: number, appliedSeq: number): ApplyResult {
  return {
    outcome: 'skipped',
    ad,
    memberErrors: [],
    error: {
      code: 'StaleChangeSet',
      message: `change set seq ${seq} is older than seq ${appliedSeq}, already applied to ${ad.dn}: not applied (a newer change set superseded it)`,
    },
    membersAdded: 0,
    membersRemoved: 0,
  };
}
