// gwb writeback: marks a cloud group for writeback (or unmarks it) in Microsoft Graph, as the admin, with
// the admin's own delegated token: PATCH /beta/groups/{id} {writebackConfiguration}. Never through the
// Function App, whose identity only reads Graph. The product sees the change through Graph's notification.
import { AD_GROUP_TYPES } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { CliError, EXIT_OK, UsageError, flagOption, stringOption } from '../command-line.js';
import type { CloudGroup, GraphGroups, WritebackChange } from '../graph-groups.js';
import { isGuid } from '../../shared/domain/ids.js';
import { groupName } from '../output/format.js';

const usage = usageText({
  synopsis: 'writeback <id|name> --enable [--type T] | --disable',
  about: `Marks a cloud group for writeback to AD, or unmarks it, in Microsoft Graph (the group's
writebackConfiguration, beta), signed in as you: your account needs a role that may change groups (e.g.
Groups Administrator). The Function App only reads Graph; it follows the change within seconds (check
with gwb group). A name is looked up in Graph (whole name, any case) and must name one group.
Graph: GWB_GRAPH_URL (default https://graph.microsoft.com), GWB_GRAPH_TOKEN skips the sign-in.`,
  options: [
    '--enable     write the group back',
    `--type T     with --enable: the AD group type, one of ${AD_GROUP_TYPES.join(', ')} (default: by the group's kind)`,
    '--disable    stop writing it back (the product then deletes it from AD, through the deletion guard)',
  ],
  examples: ['gwb writeback Sales --enable --type universalSecurityGroup', 'gwb group Sales'],
});

export const writebackCommand: Command = {
  name: 'writeback',
  summary: 'mark a cloud group for writeback in Graph (--enable/--disable), as you',
  usage,
  options: { enable: { type: 'boolean' }, disable: { type: 'boolean' }, type: { type: 'string' } },
  args: [1, 1],
  async run(ctx, line) {
    const enable = flagOption(line, 'enable');
    if (enable === flagOption(line, 'disable')) throw new UsageError('give one of --enable or --disable', usage);
    const type = stringOption(line, 'type');
    if (type !== undefined && !enable) throw new UsageError('--type goes with --enable', usage);
    if (type !== undefined && !(AD_GROUP_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${AD_GROUP_TYPES.join(', ')}`, usage);
    const graph = ctx.graph();
    const before = await findGroup(graph, line.positionals[0]!);
    const change: WritebackChange = enable ? { isEnabled: true, ...(type !== undefined ? { onPremisesGroupType: type } : {}) } : { isEnabled: false };
    await graph.setWriteback(before.id, change);
    const after = await graph.get(before.id);
    if (ctx.json) ctx.printJson({ groupId: after.id, displayName: after.displayName ?? null, before: config(before), after: config(after) });
    else {
      ctx.term.out(`${groupName(after.displayName ?? null, after.id)}: writeback was ${describe(before)}, now ${describe(after)}`);
      ctx.term.out(`the product follows the change from Graph; check with: gwb group ${after.id}`);
    }
    return EXIT_OK;
  },
};

async function findGroup(graph: GraphGroups, given: string): Promise<CloudGroup> {
  if (isGuid(given)) return graph.get(given);
  const found = await graph.findByName(given);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new CliError(`no cloud group is named "${given}" (give the whole name, or the id)`);
  throw new CliError(`"${given}" names ${found.length} cloud groups; give the id of one:\n${found.map((g) => `  ${groupName(g.displayName ?? null, g.id)}`).join('\n')}`);
}

function config(g: CloudGroup): { isEnabled: boolean | null; onPremisesGroupType: string | null } {
  return { isEnabled: g.writebackConfiguration?.isEnabled ?? null, onPremisesGroupType: g.writebackConfiguration?.onPremisesGroupType ?? null };
}

function describe(g: CloudGroup): string {
  const c = config(g);
  if (c.isEnabled === null) return 'not set';
  return c.isEnabled ? `on${c.onPremisesGroupType !== null ? ` as ${c.onPremisesGroupType}` : ''}` : 'off';
}
