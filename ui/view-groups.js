// Groups: every group with its writeback state (GET /api/status), filtered by state, searched by name or id,
// a page at a time. The filter lives in the address (#/groups?state=&search=&skip=) so a reload keeps it.
import { get } from './api.js';
import { dash, fill, h, heading, table, time } from './dom.js';
import { errorNotice } from './errors.js';
import { STATES, adGroupTypeLabel, groupTypeLabel, stateLabel } from './labels.js';

const PAGE_SIZE = 50;

export function stateBadge(state) {
  return h('span', { class: `state state-${state}` }, stateLabel(state));
}

export function groupLink(groupId, displayName) {
  return h('a', { href: `#/groups/${encodeURIComponent(groupId)}` }, displayName ?? groupId);
}

function columns() {
  return [
    { label: 'Group', cell: (g) => [groupLink(g.groupId, g.displayName), h('span', { class: 'id' }, g.groupId)] },
    { label: 'Type', cell: (g) => groupTypeLabel(g.type) },
    { label: 'In AD as', cell: (g) => adGroupTypeLabel(g.adGroupType) },
    { label: 'State', cell: (g) => stateBadge(g.state) },
    { label: 'Reason', cell: (g) => dash(g.reason) },
    { label: 'Members', cell: (g) => dash(g.members?.planned) },
    { label: 'Cloud-only', cell: (g) => dash(g.members?.cloudOnly) },
    { label: 'Member errors', cell: (g) => dash(g.members?.errors) },
    { label: 'Last result', cell: (g) => time(g.lastResultAt) },
  ];
}

function caption(data, filter, shown) {
  const parts = [`${data.count} group${data.count === 1 ? '' : 's'}`];
  if (filter.state !== '') parts.push(`in state ${stateLabel(filter.state)}`);
  if (filter.search !== '') parts.push(`matching “${filter.search}”`);
  const range = shown === 0 ? '' : `, showing ${filter.skip + 1}–${filter.skip + shown}`;
  return parts.join(' ') + range;
}

export function groupsView(ctx) {
  const filter = {
    state: STATES.includes(ctx.query.get('state')) ? ctx.query.get('state') : '',
    search: ctx.query.get('search') ?? '',
    skip: Math.max(0, Number.parseInt(ctx.query.get('skip') ?? '0', 10) || 0),
  };
  const results = h('div', { class: 'results' });
  const stateSelect = h(
    'select',
    { id: 'filter-state', name: 'state' },
    h('option', { value: '' }, 'All states'),
    STATES.map((s) => h('option', { value: s, selected: s === filter.state }, stateLabel(s))),
  );
  const searchBox = h('input', { id: 'filter-search', name: 'search', type: 'search', value: filter.search, autocomplete: 'off' });

  const load = async () => {
    const query = new URLSearchParams();
    if (filter.state !== '') query.set('state', filter.state);
    if (filter.search !== '') query.set('search', filter.search);
    if (filter.skip > 0) query.set('skip', String(filter.skip));
    ctx.remember(`#/groups${query.size > 0 ? `?${query}` : ''}`);
    fill(results, h('p', null, 'Loading groups…'));
    let data;
    try {
      data = await get('status', { state: filter.state, search: filter.search, top: PAGE_SIZE, skip: filter.skip });
    } catch (err) {
      fill(results, errorNotice(err, 'The group list'));
      return;
    }
    const rows = Array.isArray(data.value) ? data.value : [];
    for (const g of rows) if (g.displayName) ctx.names.set(g.groupId, g.displayName);
    const page = (skip) => () => {
      filter.skip = skip;
      void load();
    };
    const pager = h(
      'div',
      { class: 'pager' },
      filter.skip > 0 ? h('button', { type: 'button', on: { click: page(Math.max(0, filter.skip - PAGE_SIZE)) } }, 'Previous page') : null,
      typeof data.nextSkip === 'number' ? h('button', { type: 'button', on: { click: page(data.nextSkip) } }, 'Next page') : null,
    );
    const count = typeof data.count === 'number' ? data.count : rows.length;
    fill(results, 
      rows.length === 0 ? h('p', null, 'No group matches.') : table({ caption: caption({ count }, filter, rows.length), columns: columns(), rows }),
      pager,
    );
  };

  const apply = (event) => {
    event.preventDefault();
    filter.state = stateSelect.value;
    filter.search = searchBox.value.trim();
    filter.skip = 0;
    void load();
  };
  stateSelect.addEventListener('change', apply);
  void load();
  return h(
    'section',
    { 'aria-labelledby': 'view-title' },
    heading('Groups'),
    h(
      'form',
      { class: 'filters', role: 'search', on: { submit: apply } },
      h('label', { for: 'filter-state' }, 'State'),
      stateSelect,
      h('label', { for: 'filter-search' }, 'Name or id'),
      searchBox,
      h('button', { type: 'submit' }, 'Search'),
    ),
    results,
  );
}
