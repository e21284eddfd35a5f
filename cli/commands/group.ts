// gwb group: one group as the product sees it: in the cloud, the writeback decision, what is in AD, its
// status, the members that could not be written (by name and UPN), and a held change set. Exit 1 when the
// group is failed or held, as for `gwb status`.
import { groupDetailSchema, type GroupDetail } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK, EXIT_PROBLEMS } from '../command-line.js';
import { count, cut, groupName, progressText, text, when } from '../output/format.js';
import { table } from '../output/table.js';
import { resolveGroup } from '../resolve-group.js';

const usage = usageText({
  synopsis: 'group <id|name>',
  about: `One group: cloud properties and writeback configuration, the product's decision (written or not,
why, AD group type, CN), the AD group it wrote (DN, objectGUID, SID, members), its status (with the
relay's progress while it writes a big group) and member errors, and a held change set. A name must match exactly (any case); several groups of that name are
listed and gwb exits 1. Exit 1 when the group is failed or held.`,
  examples: ['gwb group Sales', 'gwb group 0bc7e5a1-4444-4c44-8d55-66778899aabb --json'],
});

export const groupCommand: Command = {
  name: 'group',
  summary: 'one group: cloud, decision, AD, status, member errors',
  usage,
  options: {},
  args: [1, 1],
  async run(ctx, line) {
    const api = ctx.api();
    const group = await resolveGroup(api, line.positionals[0]!);
    const detail = await api.get(`groups/${group.groupId}`, groupDetailSchema);
    if (ctx.json) ctx.printJson(detail);
    else for (const l of describe(detail)) ctx.term.out(l);
    return detail.status.state === 'failed' || detail.status.state === 'held' ? EXIT_PROBLEMS : EXIT_OK;
  },
};

function writebackText(d: GroupDetail): string {
  const wb = d.cloud?.writeback ?? null;
  if (wb === null || wb.isEnabled === null) return 'writeback not set (the defaults apply)';
  return wb.isEnabled ? `writeback on${wb.onPremisesGroupType !== null ? ` as ${wb.onPremisesGroupType}` : ''}` : 'writeback off';
}

export function describe(d: GroupDetail): string[] {
  const s = d.status;
  const lines = [groupName(d.cloud?.displayName ?? s.displayName, d.groupId)];
  lines.push(
    d.cloud === null
      ? '  cloud     not found in Graph'
      : `  cloud     ${text(d.cloud.type)}, ${count(d.cloud.memberCount)} members, mailNickname ${text(d.cloud.mailNickname)}, ${writebackText(d)}`,
  );
  lines.push(
    d.decision.write
      ? `  decision  write as ${text(d.decision.adGroupType)}, CN ${text(d.decision.cn)}`
      : `  decision  not written: ${text(d.decision.reason)}`,
  );
  lines.push(
    d.applied === null
      ? '  in AD     nothing written'
      : `  in AD     ${text(d.applied.dn)}, ${count(d.applied.memberCount)} members, objectGUID ${text(d.applied.objectGUID)}, SID ${text(d.applied.objectSid)}, seq ${d.applied.seq ?? '-'}`,
  );
  lines.push(`  status    ${s.state}${s.reason !== null ? `: ${s.reason}` : ''}`);
  lines.push(`            last change ${when(s.lastChangeAt)}, last result ${when(s.lastResultAt)}${s.outcome !== null ? ` (${s.outcome})` : ''}`);
  if (s.members !== null) lines.push(`  members   ${count(s.members.planned)} written, ${count(s.members.cloudOnly)} cloud-only, ${count(s.members.errors)} in error`);
  if (s.progress !== null) lines.push(`  writing   ${progressText(s.progress)}, reported ${when(s.progress.at)}`);
  if (d.held !== null) {
    const h = d.held;
    const what = h.kind === 'deletion' ? 'deletion' : `${count(h.memberRemovals)} member removal(s)`;
    lines.push(`  held      ${what} since ${when(h.heldAt)}${h.approvedAt !== null ? `, approved ${when(h.approvedAt)}` : ' (gwb approve / gwb reject)'}: ${h.reason}`);
  }
  if (d.memberErrors.length > 0) {
    lines.push('', `member errors (${count(d.memberErrors.length)}):`);
    const rows = table(d.memberErrors, [
      { header: 'MEMBER', value: (e) => cut(text(e.displayName), 40) },
      { header: 'UPN', value: (e) => text(e.userPrincipalName) },
      { header: 'KIND', value: (e) => text(e.kind) },
      { header: 'CODE', value: (e) => e.code },
      { header: 'ID', value: (e) => e.memberId },
      { header: 'MESSAGE', value: (e) => cut(e.message, 100) },
    ]);
    lines.push(...rows.map((r) => `  ${r}`));
  }
  return lines;
}
