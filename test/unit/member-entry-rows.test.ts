// The rows of a complete member entry list (shared/state/member-entry-rows.ts, rowsInBucketOrder): every
// bucket once, in ascending order, with all of its entries, also for ids whose bucket is not their first two
// characters (upper case, not hex); entries out of id order are refused rather than written twice.
import { describe, expect, it } from 'vitest';
import type { MemberEntry } from '../../shared/domain/members.js';
import { memberEntryList } from '../../shared/domain/planned-state.js';
import { bucketOf, rowsInBucketOrder } from '../../shared/state/member-entry-rows.js';
import { gid } from './domain/fixtures.js';

const skipped = (cloudId: string): MemberEntry => ({ cloudId, ref: null, skip: 'cloudOnlyUser' });

describe('rowsInBucketOrder', () => {
  it('gives each bucket once, in order, with every entry of it', () => {
    const ids = [gid(1, 'ab'), gid(2, 'AB'), gid(3, '0f'), 'zz-1', '-odd', gid(4, 'ab'), gid(5, 'C1'), 'x', gid(6, 'ff'), 'ab-not-a-guid'];
    const list = memberEntryList(ids.map(skipped));
    const rows = [...rowsInBucketOrder(() => list.inIdOrder())];
    expect(rows.map((r) => r.bucket)).toEqual([...new Set(ids.map(bucketOf))].sort());
    for (const row of rows) expect(row.entries.map((e) => e.cloudId).sort()).toEqual(ids.filter((id) => bucketOf(id) === row.bucket).sort());
  });

  it('refuses entries that are not in id order', () => {
    const entries = [skipped(gid(1, 'cd')), skipped(gid(2, 'ab'))];
    expect(() => [...rowsInBucketOrder(() => entries)]).toThrow(/not in id order/);
  });
});
