// gwb held: the change sets the deletion guard holds (deletions, member removals) with the group's name,
// and what the 24-hour window has released against the thresholds. Exit 1 when one waits for approval.
import { heldListSchema, type HeldChangeView } from '../api/schemas.js';
import { statusPage, MAX_PAGE } from '../api/status-pages.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK, EXIT_PROBLEMS } from '../command-line.js';
import { count, cut, text, when } from '../output/format.js';
import { table } from '../output/table.js';

const usage = usageText({
  synopsis: 'held',
  about: `The change sets the deletion guard holds: a group deletion, or member removals, past the tenant's
thresholds in 24 hours. Nothing of them is sent until an admin approves (gwb approve) or rejects (gwb
reject) each. Exit 1 when one waits for approval.`,
  examples: ['gwb held'],
});

export const heldCommand: Command = {
  name: 'held',
  summary: 'change sets the deletion guard holds for approval',
  usage,
  options: {},
  args: [0, 0],
  async run(ctx) {
    const api = ctx.api();
    const [held, heldStatus] = await Promise.all([api.get('held', heldListSchema), statusPage(api, { state: 'held' }, MAX_PAGE)]);
    const names = new Map(heldStatus.value.map((g) => [g.groupId, g.displayName]));
    const waiting = held.value.filter((h) => h.approvedAt === null).length;
    if (ctx.json) ctx.printJson(held);
    else {
      const w = held.window;
      if (held.value.length > 0) for (const l of heldTable(held.value, names)) ctx.term.out(l);
      ctx.term.out(`${count(held.count)} held, ${count(waiting)} waiting for approval (gwb approve <group> / gwb reject <group>)`);
      ctx.term.out(
        `released in the last ${w.windowHours} h: ${count(w.deletions)} of ${count(w.deletionThreshold)} group deletions, ${count(w.memberRemovals)} of ${count(w.memberRemovalThreshold)} member removals`,
      );
    }
    return waiting > 0 ? EXIT_PROBLEMS : EXIT_OK;
  },
};

function heldTable(held: readonly HeldChangeView[], names: ReadonlyMap<string, string | null>): string[] {
  return table(held, [
    { header: 'NAME', value: (h) => cut(text(names.get(h.groupId)), 40) },
    { header: 'KIND', value: (h) => h.kind },
    { header: 'DELETIONS', value: (h) => count(h.deletions), right: true },
    { header: 'MEMBER REMOVALS', value: (h) => count(h.memberRemovals), right: true },
    { header: 'HELD SINCE', value: (h) => when(h.heldAt) },
    { header: 'APPROVED', value: (h) => when(h.approvedAt) },
    { header: 'GROUP ID', value: (h) => h.groupId },
    { header: 'REASON', value: (h) => cut(h.reason, 160) },
  ]);
}
