// gwb settings get / set: the tenant settings the product decides with. A change that would remove groups
// from AD is refused by the API (409) until confirmed: gwb shows how many and which, then asks on a
// terminal, or takes --yes; unconfirmed, nothing changes and gwb exits 1.
import { ApiError } from '../api/admin-api.js';
import { settingsSchema, wouldRemoveSchema, type WouldRemove } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { CliError, EXIT_OK, EXIT_PROBLEMS, UsageError, flagOption } from '../command-line.js';
import type { CommandContext } from '../context.js';
import { count, groupName } from '../output/format.js';
import { parseSettings, SETTING_NAMES } from '../settings-values.js';
import { jsonOrNull } from '../json-text.js';

const usage = usageText({
  synopsis: 'settings get | settings set key=value ... [--yes]',
  about: `Shows or changes the tenant settings: ${SETTING_NAMES.join(', ')}.
A change that decides differently queues a full round. One that would remove groups from AD (writeback
off, v2 off, a default change...) lists how many and which, and asks; --yes confirms without asking
(needed when no one is at the terminal). Removals still pass the deletion guard. Unconfirmed: exit 1.
Setting needs Writeback.Admin.`,
  options: ['--yes   confirm removals from AD without asking'],
  examples: ['gwb settings get', 'gwb settings set cnFormat=displayName', 'gwb settings set groupWritebackV2=false --yes'],
});

export const settingsCommand: Command = {
  name: 'settings',
  summary: 'show (get) or change (set key=value ...) tenant settings',
  usage,
  options: { yes: { type: 'boolean' } },
  args: [1, 1 + SETTING_NAMES.length],
  async run(ctx, line) {
    const [verb, ...pairs] = line.positionals;
    if (verb === 'get' && pairs.length === 0) return show(ctx);
    if (verb !== 'set' || pairs.length === 0) throw new UsageError(verb === 'get' ? 'settings get takes no arguments' : 'settings get, or settings set key=value ...', usage);
    const patch = parseSettings(pairs);
    if (patch instanceof Error) throw new UsageError(patch.message, usage);
    return change(ctx, patch, flagOption(line, 'yes'));
  },
};

async function show(ctx: CommandContext): Promise<number> {
  const s = await ctx.api().get('settings', settingsSchema);
  if (ctx.json) ctx.printJson(s);
  else printSettings(ctx, s.settings, s.effective);
  return EXIT_OK;
}

function printSettings(ctx: CommandContext, settings: Record<string, unknown>, effective: Record<string, unknown> | null): void {
  const width = Math.max(...Object.keys(settings).map((k) => k.length));
  for (const [k, v] of Object.entries(settings)) {
    const inForce = effective?.[k];
    const note = inForce !== undefined && inForce !== v ? `  (in force: ${JSON.stringify(inForce)})` : '';
    ctx.term.out(`${k.padEnd(width)}  ${JSON.stringify(v)}${note}`);
  }
}

async function change(ctx: CommandContext, patch: Record<string, unknown>, yes: boolean): Promise<number> {
  const api = ctx.api();
  try {
    const { value } = await api.patch('settings', settingsSchema.pick({ settings: true }), {}, patch);
    return changed(ctx, value.settings);
  } catch (error) {
    const removal = error instanceof ApiError && error.status === 409 ? wouldRemoveSchema.safeParse(jsonOrNull(error.body)) : null;
    if (removal === null) throw error;
    if (!removal.success) throw new CliError(`the API asks for confirmation (409) in a shape gwb does not know: ${error instanceof Error ? error.message : ''}`);
    describeRemoval(ctx, removal.data);
    if (!(yes || (await confirmed(ctx)))) {
      ctx.term.err('not changed: nothing was confirmed (--yes confirms without asking)');
      return EXIT_PROBLEMS;
    }
    const { value } = await api.patch('settings', settingsSchema.pick({ settings: true }), { confirm: true }, patch);
    return changed(ctx, value.settings);
  }
}

function changed(ctx: CommandContext, settings: Record<string, unknown>): number {
  if (ctx.json) ctx.printJson({ settings });
  else {
    ctx.term.out('settings changed; now:');
    printSettings(ctx, settings, null);
  }
  return EXIT_OK;
}

function describeRemoval(ctx: CommandContext, r: WouldRemove): void {
  ctx.term.err(`this change would remove ${count(r.wouldRemove)} group(s) from AD (the deletion guard still applies):`);
  for (const g of r.groups) ctx.term.err(`  ${groupName(g.displayName, g.groupId)}`);
  if (r.wouldRemove > r.groups.length) ctx.term.err(`  ... and ${count(r.wouldRemove - r.groups.length)} more`);
}

async function confirmed(ctx: CommandContext): Promise<boolean> {
  const answer = await ctx.term.ask('remove them from AD? type yes to confirm: ');
  return answer !== null && answer.trim().toLowerCase() === 'yes';
}
