// Following a resync from the group status: the groups it covers are done once their state is final with a
// result recorded after the resync was asked for (the server's clock, from its answer), or once nothing
// more can come without someone acting (held, skipped, deleted). Polls /api/status every page of it.
import type { AdminApi } from './api/admin-api.js';
import type { GroupState, GroupSummary } from './api/schemas.js';
import { MAX_PAGE, allGroups } from './api/status-pages.js';
import type { Progress } from './output/progress.js';
import type { Terminal } from './terminal.js';

export interface FollowOutcome {
  total: number;
  done: number;
  /** The covered groups by state when following stopped. */
  states: Partial<Record<GroupState, number>>;
  seconds: number;
  finished: boolean;
}

/** Groups a full resync sends: every group the product writes or wrote, in whatever state. */
export function coveredByFullResync(g: GroupSummary): boolean {
  return g.state !== 'skipped' && g.state !== 'deleted';
}

function isDone(g: GroupSummary, since: number): boolean {
  if (g.state === 'pending') return false;
  if (g.state === 'held' || g.state === 'skipped' || g.state === 'deleted') return true;
  return g.lastResultAt !== null && Date.parse(g.lastResultAt) >= since;
}

export async function followResync(api: AdminApi, term: Terminal, covered: ReadonlySet<string>, since: Date, view: Progress, timeoutMs: number | null): Promise<FollowOutcome> {
  const started = term.now().getTime();
  for (;;) {
    const { value } = await allGroups(api, {});
    const mine = value.filter((g) => covered.has(g.groupId));
    const done = mine.filter((g) => isDone(g, since.getTime())).length;
    view.update(done, covered.size);
    const elapsed = term.now().getTime() - started;
    const finished = done >= covered.size;
    if (finished || (timeoutMs !== null && elapsed >= timeoutMs)) {
      view.end();
      const states: Partial<Record<GroupState, number>> = {};
      for (const g of mine) states[g.state] = (states[g.state] ?? 0) + 1;
      return { total: covered.size, done, states, seconds: elapsed / 1000, finished };
    }
    // Each poll reads every page: wait longer on a big tenant.
    await term.sleep(term.pollMs * Math.max(1, Math.ceil(value.length / MAX_PAGE)));
  }
}
