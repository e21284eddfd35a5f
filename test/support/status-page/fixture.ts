// The groups, member errors and relays the status page's tests show: a page and a bit of groups, one of each
// state that matters, a display name that tries to inject markup, and one silent relay.
import type { HeldChange } from '../../../shared/domain/deletion-guard.js';
import type { FakeData, GroupSummary } from './contract-fakes.js';

const id = (prefix: string, n: number): string => `${prefix}000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const GROUP = {
  sales: id('a1', 1),
  finance: id('a1', 2),
  marketing: id('a1', 3),
  projects: id('a1', 4),
  engineering: id('a1', 5),
  archive: id('a1', 6),
};

/** A name from the cloud that would run script if the page ever parsed it as markup. */
export const HOSTILE_NAME = 'Finance <img src=x onerror="window.__injected=1">';

const AT = '2026-12-01T10:00:00.000Z';

function group(groupId: string, displayName: string, state: GroupSummary['state'], more: Partial<GroupSummary> = {}): GroupSummary {
  return {
    groupId,
    displayName,
    type: 'm365',
    adGroupType: 'universalDistributionGroup',
    state,
    reason: null,
    members: { planned: 10, cloudOnly: 0, errors: 0 },
    lastChangeAt: AT,
    lastResultAt: AT,
    outcome: state === 'written' ? 'applied' : null,
    ...more,
  };
}

const teams = Array.from({ length: 52 }, (_, i) => group(id('b1', i + 1), `Team ${String(i + 1).padStart(2, '0')}`, 'written'));

export const fixture: FakeData = {
  groups: [
    group(GROUP.sales, 'Sales', 'written'),
    group(GROUP.finance, HOSTILE_NAME, 'failed', {
      type: 'security',
      adGroupType: 'universalSecurityGroup',
      reason: '2 members could not be written',
      members: { planned: 12, cloudOnly: 1, errors: 2 },
      outcome: 'failed',
    }),
    group(GROUP.marketing, 'Marketing', 'held', { reason: 'deletion held: 20 group deletion(s) in the last 24 h' }),
    group(GROUP.projects, 'Old Projects', 'held', { type: 'security', adGroupType: 'universalSecurityGroup', reason: 'member removals held: 1500 in the last 24 h' }),
    group(GROUP.engineering, 'Engineering', 'partial', { members: { planned: 40, cloudOnly: 3, errors: 0 } }),
    group(GROUP.archive, 'Archive', 'softDeleted', { reason: 'soft-deleted in the cloud' }),
    ...teams,
  ],
  memberErrors: {
    [GROUP.finance]: [
      { memberId: id('c1', 1), displayName: 'Ada Lovelace', userPrincipalName: 'ada@contoso.example', kind: 'user', code: 'NoOnPremIdentity', message: 'cloud-only user: no on-premises identity' },
      { memberId: id('c1', 2), displayName: 'KIOSK-07', userPrincipalName: null, kind: 'device', code: 'MemberNotFound', message: 'no computer object with this deviceId in AD' },
    ],
  },
  relays: [
    { relayId: 'relay-dc1', version: '0.1.0', host: 'RELAY01', dcUrl: 'ldaps://dc1.example.test', lastMessageAt: AT, counts: { applied: 120, failed: 2 }, startedAt: AT, lastHeartbeatAt: AT, silentForSeconds: 30, silent: false },
    { relayId: 'relay-dc2', version: '0.1.0', host: 'RELAY02', dcUrl: 'ldaps://dc2.example.test', lastMessageAt: AT, counts: { applied: 3, failed: 0 }, startedAt: AT, lastHeartbeatAt: AT, silentForSeconds: 7500, silent: true },
  ],
};

export const heldChanges: HeldChange[] = [
  { groupId: GROUP.marketing, kind: 'deletion', deletions: 1, memberRemovals: 0, reason: 'deletion held: 20 group deletion(s) in the last 24 h', lifecycle: 'hardDeleted', afterSeq: 3, heldAt: AT, approvedAt: null, fingerprint: 'f-marketing', rejectedAt: null, rejectedBy: null },
  { groupId: GROUP.projects, kind: 'memberRemoval', deletions: 0, memberRemovals: 1500, reason: 'member removals held: 1500 in the last 24 h', lifecycle: 'present', afterSeq: 9, heldAt: '2026-12-01T11:00:00.000Z', approvedAt: null, fingerprint: 'f-projects', rejectedAt: null, rejectedBy: null },
];
