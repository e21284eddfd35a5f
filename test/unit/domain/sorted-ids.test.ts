// Sorted id sets (shared/domain/sorted-ids.ts): GUIDs held as bytes and other ids as strings iterate in one
// string order, each id once, and two sets are compared in one walk.
import { describe, expect, it } from 'vitest';
import { SortedIdsBuilder, sortedDifference, sortedIds } from '../../../shared/domain/sorted-ids.js';
import { gid } from './fixtures.js';

describe('sorted ids', () => {
  it('iterates GUIDs and other ids in string order, each once', () => {
    const ids = [gid(3, 'c'), 'zz-odd', gid(1, 'C'), gid(2, 'f'), gid(3, 'c'), '0-odd', gid(2, '1'), 'b', gid(1, 'c')];
    const builder = new SortedIdsBuilder();
    for (const id of ids) builder.add(id);
    const built = builder.build();
    expect([...built]).toEqual([...new Set(ids)].sort());
    expect(built.size).toBe(new Set(ids).size);
    expect([...sortedIds(ids)]).toEqual([...built]);
  });

  it('grows past its first allocation', () => {
    const builder = new SortedIdsBuilder();
    const ids = Array.from({ length: 3000 }, (_, i) => gid(2999 - i, 'e'));
    for (const id of ids) builder.add(id);
    expect([...builder.build()]).toEqual([...ids].sort());
  });

  it('names the ids only in one or the other', () => {
    const a = sortedIds(['a', 'c', 'd', 'f']);
    const b = sortedIds(['b', 'c', 'f', 'g']);
    expect(sortedDifference(a, b)).toEqual({ onlyA: ['a', 'd'], onlyB: ['b', 'g'] });
    expect(sortedDifference(sortedIds([]), b)).toEqual({ onlyA: [], onlyB: ['b', 'c', 'f', 'g'] });
  });
});
