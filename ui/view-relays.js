// Relays (GET /api/relays): every on-prem relay that reported, with its last heartbeat; a silent one (no
// heartbeat within the window) is flagged in words, not only in colour.
import { get } from './api.js';
import { dash, duration, fill, h, heading, table, time } from './dom.js';
import { errorNotice } from './errors.js';

function counts(value) {
  if (value === null || typeof value !== 'object') return dash(value);
  return Object.entries(value)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}

function health(relay) {
  return relay.silent
    ? h('span', { class: 'state state-failed' }, `Silent for ${duration(relay.silentForSeconds)}`)
    : h('span', { class: 'state state-written' }, 'Reporting');
}

export function relaysView() {
  const body = h('div', null, h('p', null, 'Loading relays…'));
  const load = async () => {
    let data;
    try {
      data = await get('relays');
    } catch (err) {
      fill(body, errorNotice(err, 'Relay health'));
      return;
    }
    const relays = Array.isArray(data.value) ? data.value : [];
    const silent = relays.filter((r) => r.silent).length;
    fill(body, 
      silent > 0
        ? h('p', { class: 'notice error' }, `${silent} relay${silent === 1 ? ' is' : 's are'} silent: changes may not reach Active Directory.`)
        : h('p', null, relays.length === 0 ? 'No relay has reported yet.' : 'Every relay is reporting.'),
      relays.length === 0
        ? null
        : table({
            caption: `${relays.length} relay${relays.length === 1 ? '' : 's'}`,
            columns: [
              { label: 'Relay', cell: (r) => r.relayId },
              { label: 'Health', cell: health },
              { label: 'Host', cell: (r) => dash(r.host) },
              { label: 'Version', cell: (r) => dash(r.version) },
              { label: 'Domain controller', cell: (r) => dash(r.dcUrl) },
              { label: 'Last heartbeat', cell: (r) => time(r.lastHeartbeatAt) },
              { label: 'Last message', cell: (r) => time(r.lastMessageAt) },
              { label: 'Started', cell: (r) => time(r.startedAt) },
              { label: 'Counts', cell: (r) => counts(r.counts) },
            ],
            rows: relays,
            rowClass: (r) => (r.silent ? 'silent' : null),
          }),
    );
  };
  void load();
  return h('section', { 'aria-labelledby': 'view-title' }, heading('Relays'), body);
}
