// Holds the parts of one member snapshot until all have arrived. Parts are completed on the queue only
// after the whole snapshot is applied, so a crash half-way redelivers every part and the union of all
// parts (needed to know what to remove) is never lost. Sessions are FIFO: a gap can never fill later.

export type AssemblyState = 'complete' | 'waiting' | 'incomplete';

export class SnapshotAssembly<M> {
  private readonly held = new Map<number, M>();

  constructor(
    readonly snapshotId: string,
    readonly parts: number,
  ) {}

  /** Adds a part (a repeated part number replaces the earlier one) and says what to do next. */
  add(part: number, message: M): AssemblyState {
    this.held.set(part, message);
    return this.state();
  }

  state(): AssemblyState {
    if (this.held.size === this.parts) return 'complete';
    // The last part came and some earlier part did not: in a FIFO session it never will.
    if (this.held.has(this.parts)) return 'incomplete';
    const max = Math.max(...this.held.keys());
    // A gap below the highest part: the missing part was dead-lettered or dropped.
    return this.held.size === max ? 'waiting' : 'incomplete';
  }

  /** Held messages in part order. */
  messages(): M[] {
    return [...this.held.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
  }

  missingParts(): number[] {
    const missing: number[] = [];
    for (let p = 1; p <= this.parts; p += 1) if (!this.held.has(p)) missing.push(p);
    return missing;
  }
}
