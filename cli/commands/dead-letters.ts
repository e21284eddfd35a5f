// gwb dead-letters and gwb resubmit: what the queues gave up on, with the real reason, and sending one
// message again (a new messageId; the relay refuses a change set older than what AD holds, so it is safe).
// Exit 1 when a dead-letter queue holds something.
import { DEAD_LETTER_QUEUES, deadLettersSchema } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, stringOption } from '../command-line.js';
import { cut, text, when } from '../output/format.js';
import { table } from '../output/table.js';

function queueName(value: string | undefined, usage: string): string | undefined {
  if (value !== undefined && !(DEAD_LETTER_QUEUES as readonly string[]).includes(value)) throw new UsageError(`the queue must be one of ${DEAD_LETTER_QUEUES.join(', ')}`, usage);
  return value;
}

const deadLettersUsage = usageText({
  synopsis: 'dead-letters [--queue Q]',
  about: `The messages the queues dead-lettered (${DEAD_LETTER_QUEUES.join(', ')}), with the reason and the
group they concern. docs/operations.md says what each reason needs. Exit 1 when there are any.`,
  options: [`--queue Q   only this queue: ${DEAD_LETTER_QUEUES.join(', ')}`],
  examples: ['gwb dead-letters --queue writeback'],
});

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  summary: 'dead-lettered messages and why (--queue Q)',
  usage: deadLettersUsage,
  options: { queue: { type: 'string' } },
  args: [0, 0],
  async run(ctx, line) {
    const queue = queueName(stringOption(line, 'queue'), deadLettersUsage);
    const { value: letters } = await ctx.api().get('dead-letters', deadLettersSchema, { queue });
    if (ctx.json) ctx.printJson({ value: letters });
    else if (letters.length === 0) ctx.term.out('no dead letters');
    else {
      const rows = table(letters, [
        { header: 'QUEUE', value: (d) => d.queue },
        { header: 'SEQUENCE', value: (d) => d.sequenceNumber, right: true },
        { header: 'GROUP ID', value: (d) => text(d.groupId) },
        { header: 'REASON', value: (d) => text(d.reason) },
        { header: 'ENQUEUED', value: (d) => when(d.enqueuedAt) },
        { header: 'DELIVERIES', value: (d) => (d.deliveryCount === null ? '-' : String(d.deliveryCount)), right: true },
        { header: 'DESCRIPTION', value: (d) => cut(text(d.description), 100) },
      ]);
      for (const l of rows) ctx.term.out(l);
      ctx.term.out(`${letters.length} dead letter(s); gwb resubmit <queue> <sequence> sends one again`);
    }
    return letters.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
  },
};

const resubmitUsage = usageText({
  synopsis: 'resubmit <queue> <sequenceNumber>',
  about: `Sends a dead-lettered message again to its queue (under a new messageId) and removes it from the
dead-letter queue. Safe: the relay refuses a change set older than what AD holds. Fix the cause first
(gwb dead-letters shows the reason). Needs Writeback.Admin.`,
  examples: ['gwb resubmit writeback 42'],
});

export const resubmitCommand: Command = {
  name: 'resubmit',
  summary: 'send a dead-lettered message again',
  usage: resubmitUsage,
  options: {},
  args: [2, 2],
  async run(ctx, line) {
    const [queue, sequence] = line.positionals as [string, string];
    queueName(queue, resubmitUsage);
    if (!/^\d+$/.test(sequence)) throw new UsageError('the sequence number is a whole number (gwb dead-letters lists them)', resubmitUsage);
    await ctx.api().postEmpty(`dead-letters/${queue}/${sequence}/resubmit`);
    if (ctx.json) ctx.printJson({ queue, sequenceNumber: sequence, resubmitted: true });
    else ctx.term.out(`resubmitted: ${queue} message ${sequence} is on its queue again`);
    return EXIT_OK;
  },
};
