import { describe, expect, it } from 'vitest';
import {
  cloudGroupFrom,
  lifecycleOf,
  memberDelta,
  mergeDeltaItems,
  mergeDeltaPages,
  type DeltaGroupItem,
  type MergedGroupChange,
} from '../../../shared/domain/delta-merge.js';
import { gid, m365 } from './fixtures.js';

const G = gid(1, 'b');
const H = gid(2, 'b');
const u = (n: number) => gid(n, 'c');
const item = (over: Partial<DeltaGroupItem> & { id: string }): DeltaGroupItem => ({ props: {}, removed: null, members: [], ...over });
const add = (id: string) => ({ id, type: 'user', removed: false });
const del = (id: string) => ({ id, type: 'user', removed: true });

describe('delta merge', () => {
  it('lets a group\'s member changes go beyond the limit and says so; other groups keep theirs', () => {
    const merged = new Map<string, MergedGroupChange>();
    mergeDeltaItems(merged, [item({ id: G, members: [add(u(1)), add(u(2))] }), item({ id: H, members: [add(u(1))] })], 2);
    expect(merged.get(G)!.membersDropped).toBeUndefined();
    mergeDeltaItems(merged, [item({ id: G, props: { displayName: 'Sales' }, members: [add(u(2)), del(u(3))] })], 2);
    expect(merged.get(G)).toMatchObject({ membersDropped: true, props: { displayName: 'Sales' } });
    expect(merged.get(G)!.members.size).toBe(0);
    mergeDeltaItems(merged, [item({ id: G, members: [add(u(4))] })], 2);
    expect(merged.get(G)!.members.size).toBe(0);
    expect(memberDelta(merged.get(H)!)).toEqual({ added: [u(1)], removed: [] });
  });

  it('merges a big group that spans pages, interleaved with other groups', () => {
    const pages = [
      [item({ id: G, props: { displayName: 'Sales' }, members: [add(u(1)), add(u(2))] }), item({ id: H, props: { displayName: 'Ops' } })],
      [],
      [item({ id: G, members: [add(u(3))] })],
    ];
    const merged = mergeDeltaPages(pages);
    expect([...merged.keys()]).toEqual([G, H]);
    expect(memberDelta(merged.get(G)!)).toEqual({ added: [u(1), u(2), u(3)], removed: [] });
    expect(merged.get(G)!.props).toEqual({ displayName: 'Sales' });
  });

  it('later page wins for properties; absent properties do not erase, explicit null does', () => {
    const merged = mergeDeltaPages([
      [item({ id: G, props: { displayName: 'A', description: 'd' } })],
      [item({ id: G, props: { displayName: 'B' } })],
      [item({ id: G, props: { description: null } })],
    ]);
    expect(merged.get(G)!.props).toEqual({ displayName: 'B', description: null });
  });

  it('per member the last occurrence wins (remove then add = added; add then remove = removed)', () => {
    const merged = mergeDeltaPages([
      [item({ id: G, members: [del(u(1)), add(u(2))] })],
      [item({ id: G, members: [add(u(1)), del(u(2))] })],
    ]);
    expect(memberDelta(merged.get(G)!)).toEqual({ added: [u(1)], removed: [u(2)] });
  });

  it('is idempotent: repeated and replayed pages give the same result', () => {
    const pages = [
      [item({ id: G, props: { displayName: 'A' }, members: [add(u(1)), del(u(2))] })],
      [item({ id: H, removed: 'changed' })],
    ];
    const once = mergeDeltaPages(pages);
    const twice = mergeDeltaPages([...pages, ...pages]);
    const repeatedPage = mergeDeltaPages([pages[0]!, pages[0]!, pages[1]!]);
    const norm = (m: ReturnType<typeof mergeDeltaPages>) => [...m.values()].map((c) => ({ ...c, members: memberDelta(c) }));
    expect(norm(twice)).toEqual(norm(once));
    expect(norm(repeatedPage)).toEqual(norm(once));
  });

  it('pages of different groups in any order give the same per-group result', () => {
    const a = [item({ id: G, props: { displayName: 'A' }, members: [add(u(1))] })];
    const b = [item({ id: H, props: { displayName: 'B' }, members: [add(u(2))] })];
    const ab = mergeDeltaPages([a, b]);
    const ba = mergeDeltaPages([b, a]);
    expect(ab.get(G)).toEqual(ba.get(G));
    expect(ab.get(H)).toEqual(ba.get(H));
  });

  it('tells the lifecycle from @removed and deletedDateTime; a later page showing the group wins', () => {
    expect(lifecycleOf(mergeDeltaPages([[item({ id: G, removed: 'changed' })]]).get(G)!)).toBe('softDeleted');
    expect(lifecycleOf(mergeDeltaPages([[item({ id: G, removed: 'deleted' })]]).get(G)!)).toBe('hardDeleted');
    expect(lifecycleOf(item({ id: G, props: { deletedDateTime: '2024-01-01T00:00:00Z' } }))).toBe('softDeleted');
    expect(lifecycleOf(mergeDeltaPages([[item({ id: G, removed: 'changed' })], [item({ id: G, props: { displayName: 'x' } })]]).get(G)!)).toBe('present');
  });

  it('layers previous, delta and read properties; missing essentials or writeback configuration give null', () => {
    const prev = m365(G, { displayName: 'Old' });
    const g = cloudGroupFrom(G, prev, { displayName: 'New' }, { writebackConfiguration: { isEnabled: false, onPremisesGroupType: null } });
    expect(g).toMatchObject({ id: G, displayName: 'New', mailEnabled: true, writebackConfiguration: { isEnabled: false } });
    expect(cloudGroupFrom(G, { displayName: 'x', groupTypes: [], mailEnabled: false, securityEnabled: true })).toBeNull();
    expect(cloudGroupFrom(G, { displayName: 'x', writebackConfiguration: { isEnabled: true, onPremisesGroupType: null } })).toBeNull();
  });
});
