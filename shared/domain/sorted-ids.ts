// Sets of member ids read in sorted order (JavaScript string order), so two of them are compared by walking
// both at once instead of looking each id up in a Set of strings. The deletion guard compares a big group's
// snapshot with the ids the previous plan wrote: 1,000,000 ids as a Set of strings take ~100 MiB, here 20 MiB
// (canonical GUIDs as 16 bytes, ./guid-bytes.ts).
import { compareGuids, GUID_BYTES, readGuid, writeGuid } from './guid-bytes.js';

/** Distinct ids, iterated in ascending string order. */
export interface SortedIds extends Iterable<string> {
  readonly size: number;
  /** Marks the order (a Set of strings is not one). */
  readonly sorted: true;
}

/** A few ids, sorted and made distinct. */
export function sortedIds(ids: Iterable<string>): SortedIds {
  const out = [...new Set(ids)].sort();
  return { size: out.length, sorted: true, [Symbol.iterator]: () => out[Symbol.iterator]() };
}

/** Collects ids (in any order, repeats allowed), then sorts them compactly. */
export class SortedIdsBuilder {
  private bytes = new Uint8Array(1024 * GUID_BYTES);
  private guids = 0;
  private readonly others: string[] = [];

  add(id: string): void {
    if (this.bytes.length < (this.guids + 1) * GUID_BYTES) {
      const next = new Uint8Array(this.bytes.length * 2);
      next.set(this.bytes);
      this.bytes = next;
    }
    if (writeGuid(id, this.bytes, this.guids * GUID_BYTES)) this.guids++;
    else this.others.push(id);
  }

  build(): SortedIds {
    const bytes = this.bytes;
    const order = new Int32Array(this.guids);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => compareGuids(bytes, a * GUID_BYTES, b * GUID_BYTES));
    let n = 0;
    for (let k = 0; k < order.length; k++) if (k === 0 || compareGuids(bytes, order[k - 1]! * GUID_BYTES, order[k]! * GUID_BYTES) !== 0) order[n++] = order[k]!;
    const guids = order.slice(0, n);
    const others = [...new Set(this.others)].sort();
    return {
      size: guids.length + others.length,
      sorted: true,
      *[Symbol.iterator]() {
        // Two sorted runs merged: the GUIDs' bytes sort as their strings do.
        let o = 0;
        for (const g of guids) {
          const id = readGuid(bytes, g * GUID_BYTES);
          while (o < others.length && others[o]! < id) yield others[o++]!;
          yield id;
        }
        while (o < others.length) yield others[o++]!;
      },
    };
  }
}

/** The ids of `a` not in `b`, and of `b` not in `a` (each in order), from one walk over both. */
export function sortedDifference(a: Iterable<string>, b: Iterable<string>): { onlyA: string[]; onlyB: string[] } {
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  let x = ia.next();
  let y = ib.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value < y.value)) {
      onlyA.push(x.value as string);
      x = ia.next();
    } else if (x.done || y.value < x.value) {
      onlyB.push(y.value);
      y = ib.next();
    } else {
      x = ia.next();
      y = ib.next();
    }
  }
  return { onlyA, onlyB };
}
