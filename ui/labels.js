// Words for the API's codes: group types, AD group types, states.

export const STATES = ['written', 'partial', 'pending', 'held', 'failed', 'softDeleted', 'skipped', 'deleted'];

const STATE_LABELS = {
  written: 'Written',
  partial: 'Partial',
  pending: 'Pending',
  held: 'Held',
  failed: 'Failed',
  softDeleted: 'Soft-deleted',
  skipped: 'Skipped',
  deleted: 'Deleted',
};

const GROUP_TYPES = {
  m365: 'Microsoft 365',
  security: 'Security',
  mailEnabledSecurity: 'Mail-enabled security',
  distribution: 'Distribution',
};

const AD_GROUP_TYPES = {
  universalDistributionGroup: 'Universal distribution',
  universalSecurityGroup: 'Universal security',
  universalMailEnabledSecurityGroup: 'Universal mail-enabled security',
};

const lookup = (labels, code) => (code === undefined || code === null ? '—' : (labels[code] ?? String(code)));

export const stateLabel = (state) => lookup(STATE_LABELS, state);
export const groupTypeLabel = (type) => lookup(GROUP_TYPES, type);
export const adGroupTypeLabel = (type) => lookup(AD_GROUP_TYPES, type);
