// One group (GET /api/groups/{id}): its status, what the cloud says, what the product decided, what is in AD,
// and every member that could not be written, named by display name and UPN.
import { get } from './api.js';
import { dash, details, fill, h, heading, table, time, yesNo } from './dom.js';
import { errorNotice } from './errors.js';
import { adGroupTypeLabel, groupTypeLabel } from './labels.js';
import { stateBadge } from './view-groups.js';

function section(title, ...content) {
  return h('section', { class: 'panel' }, h('h3', null, title), ...content);
}

function statusSection(s) {
  return section(
    'Status',
    details([
      ['State', stateBadge(s.state)],
      ['Reason', dash(s.reason)],
      ['Members planned', dash(s.members?.planned)],
      ['Cloud-only members (not written)', dash(s.members?.cloudOnly)],
      ['Member errors', dash(s.members?.errors)],
      ['Last change', time(s.lastChangeAt)],
      ['Last result', time(s.lastResultAt)],
      ['Outcome', dash(s.outcome)],
      ...(s.progress ? [['Writing members', progressText(s.progress)]] : []),
    ]),
  );
}

/** The relay's last progress report of a big change set: "120,000 of about 250,000 (2,000/s), part 70 of 154". */
function progressText(p) {
  const n = (x) => Number(x).toLocaleString('en');
  return `${n(p.done)} of about ${n(p.total)} (${n(p.perSecond)}/s), ${p.stage}, reported ${new Date(p.at).toLocaleTimeString()}`;
}

function cloudSection(cloud) {
  if (cloud === null) return section('In the cloud', h('p', null, 'Not found in Microsoft Graph: deleted, or not visible to the app.'));
  const enabled = cloud.writeback?.isEnabled;
  return section(
    'In the cloud',
    details([
      ['Display name', dash(cloud.displayName)],
      ['Description', dash(cloud.description)],
      ['Type', groupTypeLabel(cloud.type)],
      ['Mail nickname', dash(cloud.mailNickname)],
      ['Writeback enabled', enabled === null || enabled === undefined ? 'Not set (tenant default)' : yesNo(enabled)],
      ['On-premises group type', adGroupTypeLabel(cloud.writeback?.onPremisesGroupType)],
      ['Members', dash(cloud.memberCount)],
    ]),
  );
}

function decisionSection(d) {
  return section(
    'Decision',
    details([
      ['Written back', yesNo(d.write)],
      ['Reason', dash(d.reason)],
      ['AD group type', adGroupTypeLabel(d.adGroupType)],
      ['CN', dash(d.cn)],
    ]),
  );
}

function appliedSection(a) {
  if (a === null) return section('In Active Directory', h('p', null, 'Not written to Active Directory.'));
  return section(
    'In Active Directory',
    details([
      ['CN', dash(a.cn)],
      ['Distinguished name', dash(a.dn)],
      ['objectGUID', dash(a.objectGUID)],
      ['objectSid', dash(a.objectSid)],
      ['Last applied change set', dash(a.seq)],
      ['Members', dash(a.memberCount)],
    ]),
  );
}

function memberErrorsSection(errors) {
  if (errors.length === 0) return section('Member errors', h('p', null, 'No member errors.'));
  return section(
    'Member errors',
    table({
      caption: `${errors.length} member${errors.length === 1 ? '' : 's'} not written`,
      columns: [
        { label: 'Member', cell: (e) => [e.displayName ?? e.memberId, h('span', { class: 'id' }, e.memberId)] },
        { label: 'User principal name', cell: (e) => dash(e.userPrincipalName) },
        { label: 'Kind', cell: (e) => dash(e.kind) },
        { label: 'Code', cell: (e) => dash(e.code) },
        { label: 'Message', cell: (e) => dash(e.message) },
      ],
      rows: errors,
    }),
  );
}

function heldSection(held) {
  if (held === null || held === undefined) return null;
  return section(
    'Held change',
    h('p', null, held.reason),
    held.approvedAt
      ? h('p', null, 'Approved ', time(held.approvedAt), '; the next round sends it.')
      : h('p', null, 'Waiting for an admin: ', h('a', { href: '#/held' }, 'review the held deletions'), '.'),
  );
}

export function groupView(ctx) {
  const groupId = ctx.params[0];
  const title = heading(ctx.names.get(groupId) ?? groupId);
  const body = h('div', null, h('p', null, 'Loading the group…'));
  const load = async () => {
    let g;
    try {
      g = await get(`groups/${encodeURIComponent(groupId)}`);
    } catch (err) {
      fill(body, errorNotice(err, 'The group view'));
      return;
    }
    const name = g.cloud?.displayName ?? g.status?.displayName ?? null;
    if (name) {
      ctx.names.set(groupId, name);
      title.textContent = name;
    }
    fill(body, 
      h('p', { class: 'id' }, `Group id ${g.groupId}`),
      statusSection(g.status ?? {}),
      cloudSection(g.cloud ?? null),
      decisionSection(g.decision ?? {}),
      appliedSection(g.applied ?? null),
      memberErrorsSection(Array.isArray(g.memberErrors) ? g.memberErrors : []),
      heldSection(g.held),
    );
  };
  void load();
  return h('section', { 'aria-labelledby': 'view-title' }, h('p', null, h('a', { href: ctx.groupsHash() }, '← All groups')), title, body);
}
