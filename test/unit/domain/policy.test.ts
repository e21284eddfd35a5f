import { describe, expect, it } from 'vitest';
import { cloudGroupKind, decideWriteback, type WritebackDecision } from '../../../shared/domain/policy.js';
import type { CloudGroup } from '../../../shared/domain/model.js';
import type { TenantSettings } from '../../../shared/domain/settings.js';
import { distribution, gid, m365, mailSecurity, security, settings, wb } from './fixtures.js';

const G = gid(1);
const v1 = settings({ groupWritebackV2: false });
const defaultOff = settings({ newUnifiedGroupWritebackDefault: false });
const write = (adGroupType: string): WritebackDecision => ({ write: true, adGroupType } as WritebackDecision);
const skip = (reason: string, deleteReason: string): WritebackDecision => ({ write: false, reason, deleteReason } as WritebackDecision);

const table: [string, CloudGroup, TenantSettings, WritebackDecision][] = [
  // Microsoft 365 groups (v2)
  ['m365, isEnabled null, tenant default on', m365(G), settings(), write('universalDistributionGroup')],
  ['m365, isEnabled null, tenant default off', m365(G), defaultOff, skip('tenantDefaultOff', 'writebackDisabled')],
  ['m365, isEnabled true, tenant default off', m365(G, wb(true)), defaultOff, write('universalDistributionGroup')],
  ['m365, isEnabled false', m365(G, wb(false)), settings(), skip('writebackDisabled', 'writebackDisabled')],
  ['m365 as security', m365(G, wb(null, 'universalSecurityGroup')), settings(), write('universalSecurityGroup')],
  ['m365 as mail-enabled security', m365(G, wb(true, 'universalMailEnabledSecurityGroup')), settings(), write('universalMailEnabledSecurityGroup')],
  ['m365 as distribution', m365(G, wb(true, 'universalDistributionGroup')), settings(), write('universalDistributionGroup')],
  ['m365, security-enabled flavour', m365(G, { securityEnabled: true }), settings(), write('universalDistributionGroup')],
  ['dynamic m365 like assigned', m365(G, { groupTypes: ['Unified', 'DynamicMembership'] }), settings(), write('universalDistributionGroup')],
  // Security groups (v2)
  ['security, isEnabled null', security(G), settings(), skip('securityGroupNotEnabled', 'writebackDisabled')],
  ['security, isEnabled false', security(G, wb(false)), settings(), skip('securityGroupNotEnabled', 'writebackDisabled')],
  ['security, isEnabled true', security(G, wb(true)), settings(), write('universalSecurityGroup')],
  ['security asking for distribution stays security', security(G, wb(true, 'universalDistributionGroup')), settings(), write('universalSecurityGroup')],
  ['dynamic security like assigned', security(G, { groupTypes: ['DynamicMembership'], ...wb(true) }), settings(), write('universalSecurityGroup')],
  // Never
  ['synced from AD', security(G, { onPremisesSyncEnabled: true, ...wb(true) }), settings(), skip('syncedFromAd', 'outOfScope')],
  ['synced m365 (defensive)', m365(G, { onPremisesSyncEnabled: true }), settings(), skip('syncedFromAd', 'outOfScope')],
  ['no longer synced security group is a cloud group', security(G, { onPremisesSyncEnabled: false, ...wb(true) }), settings(), write('universalSecurityGroup')],
  ['distribution list', distribution(G, wb(true)), settings(), skip('distributionList', 'outOfScope')],
  ['mail-enabled security', mailSecurity(G, wb(true)), settings(), skip('mailEnabledSecurityGroup', 'outOfScope')],
  ['neither mail nor security', security(G, { securityEnabled: false, ...wb(true) }), settings(), skip('unsupportedGroupType', 'outOfScope')],
  // v1
  ['v1: m365 ignores isEnabled false', m365(G, wb(false)), v1, write('universalDistributionGroup')],
  ['v1: m365 ignores onPremisesGroupType', m365(G, wb(true, 'universalSecurityGroup')), v1, write('universalDistributionGroup')],
  ['v1: m365 ignores the tenant default', m365(G), settings({ groupWritebackV2: false, newUnifiedGroupWritebackDefault: false }), write('universalDistributionGroup')],
  ['v1: no security groups', security(G, wb(true)), v1, skip('securityGroupsNeedV2', 'outOfScope')],
  ['v1: still never synced groups', m365(G, { onPremisesSyncEnabled: true }), v1, skip('syncedFromAd', 'outOfScope')],
  // tenant switch
  ['tenant writeback disabled', m365(G, wb(true)), settings({ writebackEnabled: false }), skip('tenantWritebackDisabled', 'tenantDisabled')],
  ['tenant writeback disabled, security', security(G, wb(true)), settings({ writebackEnabled: false }), skip('tenantWritebackDisabled', 'tenantDisabled')],
];

describe('writeback policy', () => {
  it.each(table)('%s', (_name, group, s, expected) => {
    expect(decideWriteback(group, s)).toEqual(expected);
  });

  it('classifies groups by Graph flags, "Unified" case-insensitively', () => {
    expect(cloudGroupKind({ groupTypes: ['unified'], mailEnabled: true, securityEnabled: false })).toBe('microsoft365');
    expect(cloudGroupKind({ groupTypes: [], mailEnabled: false, securityEnabled: true })).toBe('security');
    expect(cloudGroupKind({ groupTypes: [], mailEnabled: true, securityEnabled: true })).toBe('mailEnabledSecurity');
    expect(cloudGroupKind({ groupTypes: [], mailEnabled: true, securityEnabled: false })).toBe('distribution');
  });
});
