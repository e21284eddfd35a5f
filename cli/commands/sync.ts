// gwb sync: one group now, on demand: the Function App reads it from Graph, decides, sends its full state
// and waits for the relay's result. Exit 1 when a step failed or the result is not in yet.
import { syncSchema } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK, EXIT_PROBLEMS, numberOption } from '../command-line.js';
import { groupName, when } from '../output/format.js';
import { resolveGroup } from '../resolve-group.js';

const MAX_WAIT = 120;

const usage = usageText({
  synopsis: 'sync <id|name> [--wait N]',
  about: `Syncs one group now: reads it from Graph, decides, sends its full state to the relay (no member cap)
and waits up to N seconds for the relay's result. Prints each step. Exit 1 when a step failed or the
result did not come within the wait (the change set still lands; gwb group shows it).`,
  options: [`--wait N   seconds to wait for the relay's result, 0 to ${MAX_WAIT} (default 30)`],
  examples: ['gwb sync Sales --wait 60'],
});

export const syncCommand: Command = {
  name: 'sync',
  summary: 'sync one group now and wait for the relay (--wait N)',
  usage,
  options: { wait: { type: 'string' } },
  args: [1, 1],
  async run(ctx, line) {
    const waitSeconds = numberOption(line, 'wait', 0, MAX_WAIT, usage);
    const api = ctx.api();
    const group = await resolveGroup(api, line.positionals[0]!);
    if (!ctx.json) ctx.term.err(`syncing ${groupName(group.displayName, group.groupId)}${waitSeconds !== undefined ? `, waiting up to ${waitSeconds} s` : ''}...`);
    const { value: r } = await api.post(`groups/${group.groupId}/sync`, syncSchema, { waitSeconds });
    const ok = r.steps.length > 0 && r.steps.every((s) => s.ok);
    if (ctx.json) ctx.printJson(r);
    else {
      for (const s of r.steps) ctx.term.out(`${s.ok ? 'ok    ' : 'FAILED'}  ${s.step.padEnd(11)}  ${s.detail}${s.at !== null ? `  (${when(s.at)})` : ''}`);
    }
    return ok ? EXIT_OK : EXIT_PROBLEMS;
  },
};
