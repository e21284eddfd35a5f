// gwb approve / gwb reject: an admin's verdict on a change set the deletion guard holds. Approve releases it
// with the next round (the status follows the relay's result); reject drops it and leaves AD as it is.
import { heldChangeSchema, rejectSchema } from '../api/schemas.js';
import { ApiError } from '../api/admin-api.js';
import { usageText, type Command } from '../command.js';
import { CliError, EXIT_OK } from '../command-line.js';
import { groupName } from '../output/format.js';
import { resolveGroup, type NamedGroup } from '../resolve-group.js';

/** The app's 404 (with its reason; the host's has none) means nothing is held for the group. */
async function onHeld<T>(group: NamedGroup, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.body.trim() !== '') throw new CliError(`nothing is held for ${groupName(group.displayName, group.groupId)} (gwb held lists what is)`);
    throw error;
  }
}

export const approveCommand: Command = {
  name: 'approve',
  summary: 'release a held change set (deletion or member removals)',
  usage: usageText({
    synopsis: 'approve <id|name>',
    about: `Releases the change set the deletion guard holds for the group: the next round sends it, and the
group's status follows the relay's result (deleted, softDeleted, written). Needs Writeback.Admin.`,
    examples: ['gwb approve Sales', 'gwb status --search Sales'],
  }),
  options: {},
  args: [1, 1],
  async run(ctx, line) {
    const group = await resolveGroup(ctx.api(), line.positionals[0]!);
    const { value: held } = await onHeld(group, () => ctx.api().post(`held/${group.groupId}/approve`, heldChangeSchema));
    if (ctx.json) ctx.printJson(held);
    else {
      const what = held.kind === 'deletion' ? 'deletion' : `removal of ${held.memberRemovals} member(s)`;
      ctx.term.out(`approved: the held ${what} of ${groupName(group.displayName, held.groupId)} goes out with the next round`);
      ctx.term.out(`follow it with: gwb status --search ${group.displayName !== null ? JSON.stringify(group.displayName) : held.groupId}`);
    }
    return EXIT_OK;
  },
};

export const rejectCommand: Command = {
  name: 'reject',
  summary: 'drop a held change set; AD stays as it is',
  usage: usageText({
    synopsis: 'reject <id|name>',
    about: `Drops the change set the deletion guard holds for the group: nothing is sent and AD is left as it is.
The group shows skipped ("held change rejected by you") until the cloud changes it again, when the
guard decides anew. Needs Writeback.Admin.`,
    examples: ['gwb reject Sales'],
  }),
  options: {},
  args: [1, 1],
  async run(ctx, line) {
    const group = await resolveGroup(ctx.api(), line.positionals[0]!);
    const { value: rejected } = await onHeld(group, () => ctx.api().post(`held/${group.groupId}/reject`, rejectSchema));
    if (ctx.json) ctx.printJson(rejected);
    else ctx.term.out(`rejected: the held change set of ${groupName(group.displayName, rejected.groupId)} is dropped; AD is left as it is`);
    return EXIT_OK;
  },
};
