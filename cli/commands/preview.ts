// gwb preview: what a sync of one group would do in AD now, computed from the cloud; nothing is sent.
import { previewSchema } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK } from '../command-line.js';
import { count, groupName, text } from '../output/format.js';
import { resolveGroup } from '../resolve-group.js';

const usage = usageText({
  synopsis: 'preview <id|name>',
  about: `What a sync of the group would do in AD now (create, rename, move, attributes, members added and
removed, delete...), computed from the cloud as it is. Nothing is sent.`,
  examples: ['gwb preview Sales'],
});

export const previewCommand: Command = {
  name: 'preview',
  summary: 'what a sync of one group would do now (nothing is sent)',
  usage,
  options: {},
  args: [1, 1],
  async run(ctx, line) {
    const api = ctx.api();
    const group = await resolveGroup(api, line.positionals[0]!);
    const { value: p } = await api.post(`groups/${group.groupId}/preview`, previewSchema);
    if (ctx.json) {
      ctx.printJson(p);
      return EXIT_OK;
    }
    ctx.term.out(`${groupName(p.displayName, p.groupId)}: ${p.summary}`);
    for (const a of p.actions) {
      ctx.term.out(`  ${a.kind}: ${a.detail}${a.count !== null ? ` (${count(a.count)})` : ''}`);
      for (const m of a.members ?? []) ctx.term.out(`    ${text(m.displayName)}  ${text(m.userPrincipalName)}  ${m.memberId}`);
      const listed = a.members?.length ?? 0;
      if (a.count !== null && a.count > listed && listed > 0) ctx.term.out(`    ... and ${count(a.count - listed)} more`);
    }
    return EXIT_OK;
  },
};
