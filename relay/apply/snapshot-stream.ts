// snapshot: the complete member list, in parts, applied part by part as the parts arrive, so memory stays
// bounded however big the group: begin() makes the group match the header and reads its current members
// into a compact key set (member-keys.ts); each part adds its members that are not members yet (only those:
// Samba fails a whole modify when one value is there already) in whole modifies, carrying the rest into the
// next part's, and leaves only its members' keys behind; its modifies run on while the session takes the next
// part (written() waits for them before the next writes);
// finish() removes the current members no part named (drift repair, members added by hand; an empty
// snapshot removes everyone), walking the member list again only when there are any. An incomplete snapshot (a part never arrived) only adds:
// without the whole list nothing may be removed.
// The snapshot counts as its last part's seq: the parts are on consecutive seqs (shared/domain/split.ts),
// so any part tells it. Older than the group's applied watermark, every part is skipped untouched;
// otherwise the watermark moves to it with the header (watermark.ts) at begin(), and a redelivery of the
// same snapshot (after a crash half-way) is not stale: its adds are idempotent.
import type { MemberError } from '../../shared/contracts/result-message.js';
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { identityOf, memberOutcome, type AdIdentity, type ApplyEnv, type ApplyResult } from './apply-result.js';
import { ensureGroup } from './ensure-group.js';
import type { AdGroup } from './lookup.js';
import { MemberErrorTally } from './member-errors.js';
import type { DesiredMember } from './member-identity.js';
import { MemberKeySet, SidDomains } from './member-keys.js';
import type { MemberProgress } from './member-progress.js';
import { writeMembers, type MemberValue, type MemberWriteResult } from './member-writer.js';
import { inBulkLane } from '../ldap/directory.js';
import { memberPages } from '../ldap/ranged-members.js';
import { resolveMembers } from './resolve-members.js';
import { staleResult } from './watermark.js';

export type SnapshotPart = Extract<WritebackMessage, { kind: 'snapshot' }>;

interface PartTally {
  added: number;
  errors: MemberErrorTally;
}

export class SnapshotStream {
  private readonly domains = new SidDomains();
  private readonly current: MemberKeySet;
  /** Every member some part named and AD can hold; sealed by finish(). */
  private readonly desired: MemberKeySet;
  private readonly tallies = new Map<number, PartTally>();
  private membersNamed = 0;
  /** Members to add that did not fill a whole modify yet: carried into the next part's modifies (or written by
   *  finish()), so a snapshot costs as many modifies as its members need, not three per part. Samba rewrites the
   *  group's whole member list on every modify, so a part's short last chunk was as dear as a full one. */
  private pending: { value: MemberValue; part: number }[] = [];
  /** The last part's modifies, left running on the DC while the session takes and checks the next part (the
   *  DC would otherwise idle through every part boundary); awaited before the next part writes, and by finish(). */
  private writing: Promise<void> | null = null;

  private constructor(
    private readonly env: ApplyEnv,
    private readonly first: SnapshotPart,
    private readonly group: AdGroup | null,
    private readonly stale: { group: AdGroup; appliedSeq: number } | null,
    private readonly progress: MemberProgress | null,
  ) {
    this.current = new MemberKeySet(this.domains);
    this.desired = new MemberKeySet(this.domains);
  }

  /** The snapshot's seq: its last part's. */
  get seq(): number {
    return this.first.seq + (this.first.parts - this.first.part);
  }

  /** Ensures the group (or finds the snapshot stale) and reads its current members, with `first` (any part). */
  static async begin(given: ApplyEnv, first: SnapshotPart, progress: MemberProgress | null = null): Promise<SnapshotStream> {
    // A snapshot of several parts is a big group: all its requests let other groups' go first (bulk-lane.ts).
    const env = first.parts > 1 ? { ...given, directory: inBulkLane(given.directory) } : given;
    const lastSeq = first.seq + (first.parts - first.part);
    const ensured = await ensureGroup(env, first.header, lastSeq);
    if ('appliedSeq' in ensured) return new SnapshotStream(env, first, ensured.group, ensured, progress);
    const stream = new SnapshotStream(env, first, ensured.group, null, progress);
    if (ensured.group) {
      for await (const page of memberPages(env.directory, ensured.group.dn, env.memberReadPageSize)) for (const m of page) stream.current.add(m);
    }
    stream.current.seal();
    return stream;
  }

  /** Adds the part's members that are not members yet. Applying a part again (a retry) replaces its tally. */
  async apply(part: SnapshotPart): Promise<void> {
    if (this.stale) {
      this.tallies.set(part.part, { added: 0, errors: new MemberErrorTally() });
      return;
    }
    const { env, group } = this;
    const groupType = group?.groupType ?? part.header.groupType;
    const resolved = await resolveMembers(env.directory, env.ctx, part.members, 'add', groupType);
    const toAdd: DesiredMember[] = [];
    const seen = new Set<string>();
    for (const m of resolved.members) {
      this.desired.add(m);
      // The same object listed twice is added once.
      if (!this.current.has(m) && !seen.has(m.value)) toAdd.push(m);
      seen.add(m.value);
    }
    const errors = new MemberErrorTally();
    errors.push(resolved.errors);
    if (!this.tallies.has(part.part)) this.membersNamed += part.members.length;
    const tally: PartTally = { added: env.staging || !group ? toAdd.length : 0, errors };
    this.tallies.set(part.part, tally);
    if (!env.staging && group) {
      await this.written();
      // A retry of this part adds its members again: what it left pending is replaced.
      this.pending = this.pending.filter((p) => p.part !== part.part);
      for (const m of toAdd) this.pending.push({ value: m, part: part.part });
      const whole = Math.floor(this.pending.length / env.memberChunkSize) * env.memberChunkSize;
      if (whole > 0) {
        const writing = this.addPending(group, whole);
        // Only so that a failure nobody awaits yet (the relay stopping) is not an unhandled rejection.
        writing.catch(() => undefined);
        this.writing = writing;
      }
    }
    // Later parts are estimated at this part's size (all but the last are about as full).
    const total = this.membersNamed + Math.max(0, part.parts - this.tallies.size) * part.members.length;
    this.progress?.note({ done: part.members.length, total, stage: `part ${part.part} of ${part.parts}` });
  }

  /**
   * After the last part (complete) or when the rest will not come (incomplete, `missing` the parts that did
   * not): removes the members no part named when complete, and gives the result of each applied part.
   * Repeating it (a retry) removes what is still left.
   */
  async finish(complete: boolean, missing: readonly number[]): Promise<Map<number, ApplyResult>> {
    const { env, group, first } = this;
    const parts = [...this.tallies.keys()].sort((a, b) => a - b);
    if (this.stale) {
      const { group: staleGroup, appliedSeq } = this.stale;
      return new Map(parts.map((p) => [p, staleResult(identityOf(staleGroup), this.seq, appliedSeq)]));
    }
    const lastPart = parts[parts.length - 1] ?? first.part;
    await this.written();
    if (!env.staging && group && this.pending.length > 0) await this.addPending(group, this.pending.length);
    if (complete) this.desired.seal();
    // Walked again (for the values to delete) only when some current member is not wanted: most snapshots
    // (a new group, a resync without drift) remove nothing and cost no second read.
    const drift = complete && group ? this.current.countNotIn(this.desired) : 0;
    const toRemove = drift > 0 && group ? await this.undesired(group) : [];
    let removed = toRemove.length;
    const removeErrors: MemberError[] = [];
    if (!env.staging && group && toRemove.length > 0) {
      this.progress?.note({ stage: 'removing' });
      const written = await writeMembers(env.directory, group.dn, 'delete', toRemove, env.memberChunkSize, {
        onWritten: (n) => this.progress?.note({ done: n, membersRemoved: n }),
      });
      removed = written.written;
      removeErrors.push(...written.errors);
    }
    const added = parts.reduce((sum, p) => sum + this.tallies.get(p)!.added, 0);
    if (added > 0 || toRemove.length > 0) {
      env.log.info({ dn: group?.dn ?? null, add: added, remove: toRemove.length, complete, staging: env.staging }, 'snapshot drift');
    }
    const ad: AdIdentity | null = group ? identityOf(group) : null;
    return new Map(
      parts.map((p): [number, ApplyResult] => {
        const tally = this.tallies.get(p)!;
        // Errors about AD objects in no part (failed removals) go to the last part.
        if (p === lastPart) tally.errors.push(removeErrors);
        const memberErrors = tally.errors.list();
        return [
          p,
          {
            outcome: complete ? memberOutcome(env.staging, memberErrors) : env.staging ? 'skipped' : 'partial',
            ad,
            memberErrors,
            error: complete
              ? null
              : {
                  code: 'SnapshotIncomplete',
                  message: `snapshot ${first.snapshotId}: part(s) ${missing.join(', ')} of ${first.parts} never arrived; members were added, none removed`,
                },
            membersAdded: tally.added,
            membersRemoved: p === lastPart ? removed : 0,
          },
        ];
      }),
    );
  }

  /** Waits for the modifies in flight. Their transient failure is thrown here, once, and their members are
   *  pending again: the retry of the part (or of finish) that got it writes them. */
  private async written(): Promise<void> {
    const writing = this.writing;
    this.writing = null;
    await writing;
  }

  /** Writes the first `count` pending members; each counts (or reports its error) in the part that named it.
   *  A failure that ends the attempt (DC away) puts them back, for the retry. */
  private async addPending(group: AdGroup, count: number): Promise<void> {
    const batch = this.pending.splice(0, count);
    let written: MemberWriteResult;
    try {
      written = await writeMembers(this.env.directory, group.dn, 'add', batch.map((p) => p.value), this.env.memberChunkSize, {
        onWritten: (n) => this.progress?.note({ membersAdded: n }),
      });
    } catch (error) {
      this.pending.unshift(...batch);
      throw error;
    }
    const partOf = new Map(batch.map((p) => [p.value.cloudId, p.part]));
    const failed = new Set<string>();
    for (const e of written.errors) {
      failed.add(e.member);
      const part = partOf.get(e.member);
      if (part !== undefined) this.tallies.get(part)?.errors.push([e]);
    }
    for (const p of batch) {
      const tally = this.tallies.get(p.part);
      if (tally && !failed.has(p.value.cloudId)) tally.added += 1;
    }
  }

  /** Current members no part named, as values to delete (collected first: deleting while reading ranges would shift them). */
  private async undesired(group: AdGroup): Promise<MemberValue[]> {
    const out: MemberValue[] = [];
    for await (const page of memberPages(this.env.directory, group.dn, this.env.memberReadPageSize)) {
      for (const m of page) if (!this.desired.has(m)) out.push({ cloudId: m.sid ?? m.guid, value: `<GUID=${m.guid}>` });
    }
    return out;
  }
}
