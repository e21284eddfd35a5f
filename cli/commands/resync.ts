// gwb resync: asks for a full resync (every group, or the named ones) and follows it from the group status
// until every group it covers has its result: a progress bar on a terminal, plain lines otherwise. Exit 1
// when groups ended failed or held, or when --timeout came first (the resync goes on in the cloud).
import { resyncSchema } from '../api/schemas.js';
import { allGroups } from '../api/status-pages.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, flagOption, listOption, numberOption, stringOption } from '../command-line.js';
import { count, duration } from '../output/format.js';
import { progress } from '../output/progress.js';
import { resolveGroup } from '../resolve-group.js';
import { coveredByFullResync, followResync, type FollowOutcome } from '../resync-follow.js';

const MODES = ['reconcile', 'resync'] as const;
const MAX_GROUPS = 1000;

const usage = usageText({
  synopsis: 'resync [--groups G,...] [--mode reconcile|resync] [--no-wait] [--no-progress] [--timeout N]',
  about: `Sends every written-back group's complete state again (or only the named groups'), then follows the
group status until each has its result: done of total, rate and time left.
  reconcile (default)  the relay repairs drift in AD: on-prem edits, members added by hand, a group
                       deleted by hand is recreated
  resync               a full round: every group evaluated again from Graph, its complete state sent
Ctrl-C stops watching; the resync goes on. Exit 1 when groups ended failed or held, or at --timeout.`,
  options: [
    `--groups G,...   only these groups (ids or exact names, up to ${MAX_GROUPS}; repeat or comma-separate)`,
    '--mode M         reconcile (default) or resync',
    '--no-wait        ask for it and return',
    '--no-progress    plain lines instead of a progress bar (also when stderr is not a terminal)',
    '--timeout N      stop following after N seconds',
  ],
  examples: ['gwb resync', 'gwb resync --groups Sales,Finance --mode resync'],
});

export const resyncCommand: Command = {
  name: 'resync',
  summary: 'full resync (or --groups), followed with a progress bar',
  usage,
  options: {
    groups: { type: 'string', multiple: true },
    mode: { type: 'string' },
    'no-wait': { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    timeout: { type: 'string' },
  },
  args: [0, 0],
  async run(ctx, line) {
    const mode = stringOption(line, 'mode') ?? 'reconcile';
    if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be ${MODES.join(' or ')}`, usage);
    const timeout = numberOption(line, 'timeout', 1, 7 * 24 * 3600, usage);
    const named = listOption(line, 'groups');
    if (named.length > MAX_GROUPS) throw new UsageError(`--groups takes up to ${MAX_GROUPS} groups`, usage);
    const api = ctx.api();
    const groupIds = named.length === 0 ? undefined : [...new Set(await Promise.all(named.map(async (g) => (await resolveGroup(api, g)).groupId)))];
    const wait = !flagOption(line, 'no-wait');
    // What the resync covers, read before it starts: the groups it sends.
    const covered = !wait ? new Set<string>() : new Set(groupIds ?? (await allGroups(api, {})).value.filter(coveredByFullResync).map((g) => g.groupId));
    const asked = await api.post('resync', resyncSchema, {}, { mode, ...(groupIds !== undefined ? { groupIds } : {}) });
    const what = groupIds === undefined ? 'every group' : `${count(groupIds.length)} group(s)`;
    if (!wait) {
      if (ctx.json) ctx.printJson(asked.value);
      else ctx.term.out(`${mode} of ${what} asked for; gwb status follows it`);
      return EXIT_OK;
    }
    if (!ctx.json) ctx.term.err(`${mode} of ${what} asked for: following ${count(covered.size)} group(s) (Ctrl-C stops watching; the resync goes on)`);
    const view = progress(ctx.term, mode, ctx.term.interactive && !flagOption(line, 'no-progress'));
    const since = asked.date ?? ctx.term.now();
    const outcome = await followResync(api, ctx.term, covered, since, view, timeout === undefined ? null : timeout * 1000);
    if (ctx.json) ctx.printJson({ mode, ...outcome });
    else ctx.term.out(summary(mode, outcome));
    const problems = (outcome.states.failed ?? 0) + (outcome.states.held ?? 0);
    return outcome.finished && problems === 0 ? EXIT_OK : EXIT_PROBLEMS;
  },
};

function summary(mode: string, o: FollowOutcome): string {
  const states = Object.entries(o.states)
    .sort(([, a], [, b]) => b - a)
    .map(([state, n]) => `${count(n)} ${state}`)
    .join(', ');
  const head = o.finished
    ? `${mode} done: ${count(o.total)} group(s) in ${duration(o.seconds)}`
    : `still running after ${duration(o.seconds)}: ${count(o.done)} of ${count(o.total)} group(s) done (the resync goes on; gwb status follows it)`;
  return states === '' ? head : `${head}: ${states}`;
}
