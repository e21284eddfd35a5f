// gwb relays: the on-prem relays that reported in, when they last did, and which fell silent. Exit 1 when
// one is silent or none ever reported: nothing reaches AD then.
import { relaysSchema } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK, EXIT_PROBLEMS } from '../command-line.js';
import { duration, text, when } from '../output/format.js';
import { table } from '../output/table.js';

export const relaysCommand: Command = {
  name: 'relays',
  summary: 'the on-prem relays, their last heartbeat, silent ones',
  usage: usageText({
    synopsis: 'relays',
    about: `The on-prem relays that reported in: host, version, domain controller, started, last heartbeat and
last message. Exit 1 when a relay is silent (no heartbeat within the silence window) or none reported.`,
    examples: ['gwb relays'],
  }),
  options: {},
  args: [0, 0],
  async run(ctx) {
    const { value: relays } = await ctx.api().get('relays', relaysSchema);
    const silent = relays.filter((r) => r.silent).length;
    if (ctx.json) ctx.printJson({ value: relays });
    else if (relays.length === 0) ctx.term.out('no relay has reported: nothing is written to AD (docs/relay.md installs one)');
    else {
      const rows = table(relays, [
        { header: 'RELAY', value: (r) => r.relayId },
        { header: 'HOST', value: (r) => text(r.host) },
        { header: 'VERSION', value: (r) => text(r.version) },
        { header: 'DC', value: (r) => text(r.dcUrl) },
        { header: 'STARTED', value: (r) => when(r.startedAt) },
        { header: 'LAST HEARTBEAT', value: (r) => when(r.lastHeartbeatAt) },
        { header: 'LAST MESSAGE', value: (r) => when(r.lastMessageAt) },
        { header: 'STATE', value: (r) => (r.silent ? `SILENT ${r.silentForSeconds !== null ? duration(r.silentForSeconds) : ''}`.trim() : 'ok') },
      ]);
      for (const l of rows) ctx.term.out(l);
    }
    return relays.length === 0 || silent > 0 ? EXIT_PROBLEMS : EXIT_OK;
  },
};
