// Held deletions (GET /api/held): change sets the deletion guard keeps from AD until an admin decides.
// Approve (POST /api/held/{id}/approve) lets the next round send it; reject (POST /api/held/{id}/reject)
// drops it and leaves AD as it is. Both only after the confirmation dialog.
import { get, post } from './api.js';
import { confirmAction } from './dialog.js';
import { fill, h, heading, table, time } from './dom.js';
import { errorNotice, errorText } from './errors.js';
import { groupLink } from './view-groups.js';

const MAX_NAME_LOOKUPS = 50;

function what(held) {
  return held.kind === 'deletion' ? 'group deletion' : `removal of ${held.memberRemovals} member${held.memberRemovals === 1 ? '' : 's'}`;
}

/** Names for held groups the page has not seen yet (the status list searches by id too). */
async function lookUpNames(ctx, held) {
  const unknown = held.map((x) => x.groupId).filter((id) => !ctx.names.has(id)).slice(0, MAX_NAME_LOOKUPS);
  await Promise.allSettled(
    unknown.map(async (id) => {
      const found = await get('status', { search: id, top: 1 });
      const name = found?.value?.[0]?.groupId === id ? found.value[0].displayName : null;
      if (name) ctx.names.set(id, name);
    }),
  );
}

function windowSummary(w) {
  return h(
    'p',
    null,
    `Released in the last ${w.windowHours} h: ${w.deletions} of ${w.deletionThreshold} group deletions, ` +
      `${w.memberRemovals} of ${w.memberRemovalThreshold} member removals. Past these, changes wait here.`,
  );
}

export function heldView(ctx) {
  const body = h('div', null, h('p', null, 'Loading held deletions…'));

  const decide = async (held, action) => {
    const name = ctx.names.get(held.groupId) ?? held.groupId;
    const approve = action === 'approve';
    const confirmed = await confirmAction({
      title: approve ? 'Approve this held change?' : 'Reject this held change?',
      text: approve
        ? `The ${what(held)} for “${name}” (${held.groupId}) is sent to Active Directory by the next round.`
        : `The ${what(held)} for “${name}” (${held.groupId}) is dropped: Active Directory stays as it is, and the group is skipped until it changes in the cloud again.`,
      confirmLabel: approve ? 'Approve' : 'Reject',
    });
    if (!confirmed) return;
    try {
      await post(`held/${encodeURIComponent(held.groupId)}/${action}`);
      ctx.announce(approve ? `Approved the ${what(held)} for “${name}”: the next round sends it.` : `Rejected the ${what(held)} for “${name}”.`);
    } catch (err) {
      ctx.announce(errorText(err, approve ? 'Approving' : 'Rejecting'));
    }
    await load();
    document.getElementById('view-title')?.focus();
  };

  const actions = (held) => {
    if (held.approvedAt !== null) return ['Approved ', time(held.approvedAt)];
    if (!ctx.user.canAdmin) return 'Waiting for an admin';
    const name = ctx.names.get(held.groupId) ?? held.groupId;
    return h(
      'div',
      { class: 'row-actions' },
      h('button', { type: 'button', class: 'primary', 'aria-label': `Approve: ${name}`, on: { click: () => void decide(held, 'approve') } }, 'Approve…'),
      h('button', { type: 'button', 'aria-label': `Reject: ${name}`, on: { click: () => void decide(held, 'reject') } }, 'Reject…'),
    );
  };

  const load = async () => {
    let data;
    try {
      data = await get('held');
    } catch (err) {
      fill(body, errorNotice(err, 'The held deletions'));
      return;
    }
    const held = Array.isArray(data.value) ? data.value : [];
    await lookUpNames(ctx, held);
    fill(body, 
      data.window ? windowSummary(data.window) : null,
      held.length === 0
        ? h('p', null, 'Nothing is held.')
        : table({
            caption: `${held.length} held change${held.length === 1 ? '' : 's'}`,
            columns: [
              { label: 'Group', cell: (x) => [groupLink(x.groupId, ctx.names.get(x.groupId)), h('span', { class: 'id' }, x.groupId)] },
              { label: 'Held change', cell: (x) => what(x) },
              { label: 'Reason', cell: (x) => x.reason },
              { label: 'Held since', cell: (x) => time(x.heldAt) },
              { label: 'Decision', cell: actions },
            ],
            rows: held,
          }),
      ctx.user.canAdmin ? null : h('p', { class: 'notice' }, 'Read-only: approving and rejecting need the Writeback.Admin role.'),
    );
  };
  void load();
  return h('section', { 'aria-labelledby': 'view-title' }, heading('Held deletions'), body);
}
