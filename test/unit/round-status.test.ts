// What the planner records in a group's status after each plan (shared/app/round/round-status.ts), merged as the
// status table does (mergeStatus): the members it does not send follow every plan, also one that sends nothing.
import { describe, expect, it } from 'vitest';
import { statusUpdateOf } from '../../shared/app/round/round-status.js';
import { mergeStatus } from '../../shared/app/status/group-status.js';
import type { PlanResult } from '../../shared/domain/planner.js';
import { groupStatusSchema, type GroupStatus } from '../../shared/state/group-status-record.js';
import { cloudUser, device, distribution, gid, m365, security, syncedUser, TENANT, wb } from './domain/fixtures.js';
import { GroupHarness, type Step } from './domain/planner-harness.js';

const at = '2026-01-01T00:00:00.000Z';
const later = '2026-01-01T01:00:00.000Z';

/** Plans a step and merges what the planner would record into `status`. */
function planStep(h: GroupHarness, status: GroupStatus | null, step: Step, when = at): { result: PlanResult; status: GroupStatus | null } {
  const previous = h.state;
  const result = h.step(step);
  const update = statusUpdateOf(TENANT, previous, result, when, false);
  return { result, status: update === null ? status : groupStatusSchema.parse(mergeStatus(status, update)) };
}

const notSent = (s: GroupStatus | null): string[] => (s?.memberErrors ?? []).map((e) => `${e.member} ${e.code}`).sort();

describe('statusUpdateOf', () => {
  const G = gid(1, 'b');
  const [synced, cloudOnly, cloudOnly2, laptop] = [gid(1), gid(2), gid(3), gid(4)];

  it('a cloud-only member or device added or removed later changes the status though nothing is sent', () => {
    const h = new GroupHarness(G).know(syncedUser(synced, 1001), cloudUser(cloudOnly), cloudUser(cloudOnly2), device(laptop));
    const cloud = security(G, { displayName: 'App access', ...wb(true) });
    let { status } = planStep(h, null, { cloud, membership: { kind: 'complete', memberIds: [synced, cloudOnly] } });
    expect(status).toMatchObject({ state: 'pending', cloudOnlyMembers: 1, displayName: 'App access', type: 'security', adGroupType: 'universalSecurityGroup', plannedMemberCount: 1 });

    const added = planStep(h, status, { cloud, membership: { kind: 'changes', added: [cloudOnly2, laptop], removed: [] } }, later);
    expect(added.result.messages).toEqual([]);
    status = added.status;
    expect(status).toMatchObject({ state: 'pending', cloudOnlyMembers: 3, updatedAt: at });
    expect(notSent(status)).toEqual([`${cloudOnly} cloudOnlyUser`, `${cloudOnly2} cloudOnlyUser`, `${laptop} deviceWritebackDisabled`].sort());
    expect(status!.notes).toHaveLength(2);

    const removed = planStep(h, status, { cloud, membership: { kind: 'changes', added: [], removed: [cloudOnly, laptop] } });
    expect(removed.result.messages).toEqual([]);
    expect(removed.status).toMatchObject({ cloudOnlyMembers: 1, plannedMemberErrors: [{ member: cloudOnly2, code: 'cloudOnlyUser' }] });
    expect(notSent(removed.status)).toEqual([`${cloudOnly2} cloudOnlyUser`]);

    expect(statusUpdateOf(TENANT, h.state, h.step({ cloud, membership: { kind: 'changes', added: [], removed: [] } }), at, false)).toBeNull();
  });

  it('an upsert carries the current list of members not sent', () => {
    const h = new GroupHarness(G).know(syncedUser(synced, 1001), cloudUser(cloudOnly), cloudUser(cloudOnly2));
    const cloud = m365(G, { displayName: 'Sales' });
    let { status } = planStep(h, null, { cloud, membership: { kind: 'complete', memberIds: [cloudOnly] } });
    const upsert = planStep(h, status, { cloud, membership: { kind: 'changes', added: [synced, cloudOnly2], removed: [cloudOnly] } });
    expect(upsert.result.messages).toMatchObject([{ kind: 'upsert' }]);
    status = upsert.status;
    expect(status).toMatchObject({ cloudOnlyMembers: 1, plannedMemberCount: 1, type: 'm365', adGroupType: 'universalDistributionGroup' });
    expect(notSent(status)).toEqual([`${cloudOnly2} cloudOnlyUser`]);
  });

  it('a skipped group renamed in the cloud keeps its status and shows the new name', () => {
    const D = gid(2, 'b');
    const h = new GroupHarness(D);
    const { status } = planStep(h, null, { cloud: distribution(D, { displayName: 'All staff' }) });
    expect(status).toMatchObject({ state: 'skipped', displayName: 'All staff', type: 'distribution', adGroupType: null, plannedMemberCount: 0 });
    const renamed = planStep(h, status, { cloud: distribution(D, { displayName: 'Everyone' }) }, later);
    expect(renamed.status).toMatchObject({ state: 'skipped', reason: status!.reason, displayName: 'Everyone', updatedAt: at });
  });
});
