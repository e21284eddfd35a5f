// Settings (GET /api/settings), read-only: what the planner decides with. Changing them is an admin API call
// (PATCH /api/settings) that may remove groups from AD, so it is not offered here.
import { get } from './api.js';
import { dash, details, duration, fill, h, heading, yesNo } from './dom.js';
import { errorNotice } from './errors.js';

const onOff = (v) => (v === true ? 'On' : v === false ? 'Off' : '—');

function rows(settings, effective) {
  const m365Default = settings.newUnifiedGroupWritebackDefault;
  return [
    ['Writeback', onOff(settings.writebackEnabled)],
    ['Group writeback v2', onOff(settings.groupWritebackV2)],
    ['CN of written groups', settings.cnFormat === 'objectId' ? 'Object id' : settings.cnFormat === 'displayName' ? 'Display name' : dash(settings.cnFormat)],
    [
      'Microsoft 365 groups written back by default',
      m365Default === null || m365Default === undefined ? `As Graph says (now: ${yesNo(effective?.newUnifiedGroupWritebackDefault)})` : yesNo(m365Default),
    ],
    ['Device writeback (device members)', onOff(settings.deviceWriteback)],
    ['Exchange schema (mail attributes)', onOff(settings.exchangeSchema)],
    ['Deletion guard: group deletions per 24 h', dash(settings.deletionThreshold)],
    ['Deletion guard: member removals per 24 h', dash(settings.memberRemovalThreshold)],
    ['Safety-net round after', duration(settings.safetyNetSeconds)],
  ];
}

export function settingsView() {
  const body = h('div', null, h('p', null, 'Loading settings…'));
  const load = async () => {
    try {
      const data = await get('settings');
      fill(body, details(rows(data.settings ?? {}, data.effective)), h('p', { class: 'notice' }, 'Read-only here: settings are changed through the admin API.'));
    } catch (err) {
      fill(body, errorNotice(err, 'The settings view'));
    }
  };
  void load();
  return h('section', { 'aria-labelledby': 'view-title' }, heading('Settings'), body);
}
