// gwb status: the groups the product evaluated and their state, a page or all of them. Exit 1 when a
// matching group is failed or held: both wait for someone (a fix, an approval).
import { allGroups, countGroups, statusPage, type StatusQuery } from '../api/status-pages.js';
import { groupStateSchema, type GroupSummary } from '../api/schemas.js';
import { usageText, type Command } from '../command.js';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, flagOption, stringOption } from '../command-line.js';
import { count, cut, stateText, text, when } from '../output/format.js';
import { table } from '../output/table.js';

const PAGE = 100;

const usage = usageText({
  synopsis: 'status [--state S] [--search T] [--all]',
  about: `The groups the product evaluated, by name, with their state (written, partial, pending, held, failed,
softDeleted, skipped, deleted; a group the relay is writing in parts shows how far it is, e.g. pending 48%),
members written, cloud-only and in error, the last result and why.
Exit 1 when a matching group is failed or held.`,
  options: [
    '--state S    only groups in state S',
    '--search T   display name contains T (any case), or the group id starts with T',
    `--all        every matching group (default: the first ${PAGE})`,
  ],
  examples: ['gwb status --state failed', 'gwb status --search Sales'],
});

export const statusCommand: Command = {
  name: 'status',
  summary: 'list groups and their state (--state, --search, --all)',
  usage,
  options: { state: { type: 'string' }, search: { type: 'string' }, all: { type: 'boolean' } },
  args: [0, 0],
  async run(ctx, line) {
    const stateText = stringOption(line, 'state');
    const state = stateText === undefined ? undefined : groupStateSchema.safeParse(stateText);
    if (state !== undefined && !state.success) throw new UsageError(`--state must be one of ${groupStateSchema.options.join(', ')}`, usage);
    const q: StatusQuery = { state: state?.data, search: stringOption(line, 'search') };
    const api = ctx.api();
    const all = flagOption(line, 'all');
    const page = all ? { ...(await allGroups(api, q)), nextSkip: null } : await statusPage(api, q, PAGE);
    const problems = await problemCounts(q, page, () => Promise.all([countGroups(api, { ...q, state: 'failed' }), countGroups(api, { ...q, state: 'held' })]));
    if (ctx.json) ctx.printJson(page);
    else {
      if (page.value.length > 0) for (const l of statusTable(page.value)) ctx.term.out(l);
      ctx.term.out(footer(page.value.length, page.count, problems));
    }
    return problems.failed + problems.held > 0 ? EXIT_PROBLEMS : EXIT_OK;
  },
};

interface Problems {
  failed: number;
  held: number;
}

/** Failed and held groups among all that match, not only the page shown. */
async function problemCounts(q: StatusQuery, page: { count: number; value: GroupSummary[] }, countBoth: () => Promise<[number, number]>): Promise<Problems> {
  if (q.state !== undefined) return { failed: q.state === 'failed' ? page.count : 0, held: q.state === 'held' ? page.count : 0 };
  if (page.value.length >= page.count) {
    return { failed: page.value.filter((g) => g.state === 'failed').length, held: page.value.filter((g) => g.state === 'held').length };
  }
  const [failed, held] = await countBoth();
  return { failed, held };
}

export function statusTable(groups: readonly GroupSummary[]): string[] {
  return table(groups, [
    { header: 'NAME', value: (g) => cut(text(g.displayName), 40) },
    { header: 'STATE', value: (g) => stateText(g.state, g.progress) },
    { header: 'MEMBERS', value: (g) => count(g.members?.planned), right: true },
    { header: 'CLOUD-ONLY', value: (g) => count(g.members?.cloudOnly), right: true },
    { header: 'ERRORS', value: (g) => count(g.members?.errors), right: true },
    { header: 'LAST RESULT', value: (g) => when(g.lastResultAt) },
    { header: 'GROUP ID', value: (g) => g.groupId },
    { header: 'REASON', value: (g) => cut(text(g.reason), 160) },
  ]);
}

function footer(shown: number, matching: number, p: Problems): string {
  const listed = shown < matching ? `${count(shown)} of ${count(matching)} groups shown (--all lists every one)` : `${count(matching)} group(s)`;
  const issues = [p.failed > 0 ? `${count(p.failed)} failed` : '', p.held > 0 ? `${count(p.held)} held` : ''].filter((s) => s !== '');
  return issues.length === 0 ? listed : `${listed}; ${issues.join(', ')}: gwb group <name> shows why, gwb held lists what waits for approval`;
}
