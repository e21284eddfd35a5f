// One snapshot on its way through a session: each part is applied as it arrives (relay/apply/snapshot-stream.ts)
// and then held, without its members, until the snapshot is whole (snapshot-assembly.ts); only then are the
// results sent and every part settled. A crash half-way redelivers every part, and adding again is harmless.
// A permanent failure on one part is kept: the remaining parts are taken without applying them and every
// part is reported failed with it, as when the snapshot was applied at once.
import type { ApplyResult } from '../apply/apply-result.js';
import type { SnapshotPart, SnapshotStream } from '../apply/snapshot-stream.js';
import { isTransient } from '../ldap/errors.js';
import type { ReceivedWriteback } from './settle.js';
import { SnapshotAssembly, type AssemblyState } from './snapshot-assembly.js';

export class SnapshotInProgress {
  private readonly assembly: SnapshotAssembly<ReceivedWriteback>;
  private stream: SnapshotStream | null = null;
  private failure: { error: unknown } | null = null;

  constructor(
    first: SnapshotPart,
    private readonly begin: (first: SnapshotPart) => Promise<SnapshotStream>,
    /** When the first part arrived (the results' duration counts from there). */
    readonly startedAt: number,
  ) {
    this.assembly = new SnapshotAssembly(first.snapshotId, first.parts);
  }

  get snapshotId(): string {
    return this.assembly.snapshotId;
  }

  /** Applies one part; a transient failure is thrown (the caller retries in place), a permanent one kept. */
  async apply(part: SnapshotPart): Promise<void> {
    if (this.failure) return;
    try {
      this.stream ??= await this.begin(part);
      await this.stream.apply(part);
    } catch (error) {
      if (isTransient(error)) throw error;
      this.failure = { error };
    }
  }

  /** Holds an applied part's message for settling; its members are dropped (the body is not needed to settle). */
  hold(item: ReceivedWriteback & { message: SnapshotPart }): AssemblyState {
    item.received.body = null;
    return this.assembly.add(item.message.part, { received: item.received, message: { ...item.message, members: [] } });
  }

  /** The held parts in part order. */
  items(): ReceivedWriteback[] {
    return this.assembly.messages();
  }

  missingParts(): number[] {
    return this.assembly.missingParts();
  }

  /** Removes what no part named (when complete) and gives each held part's result, in part order. */
  async finish(complete: boolean): Promise<ApplyResult[]> {
    if (this.failure) throw this.failure.error;
    if (!this.stream) throw new Error(`snapshot ${this.snapshotId}: no part was applied`);
    const byPart = await this.stream.finish(complete, complete ? [] : this.assembly.missingParts());
    return this.items().map((i) => byPart.get((i.message as SnapshotPart).part)!);
  }
}
