// Reading /api/status beyond one page, and counting without listing: the page size the API allows at most,
// and `count` (matching, before paging) from a one-row page.
import type { AdminApi } from './admin-api.js';
import { statusPageSchema, type GroupState, type GroupSummary, type StatusPage } from './schemas.js';

export const MAX_PAGE = 1000;

export interface StatusQuery {
  state?: GroupState | undefined;
  search?: string | undefined;
}

export function statusPage(api: AdminApi, q: StatusQuery, top: number, skip = 0): Promise<StatusPage> {
  return api.get('status', statusPageSchema, { state: q.state, search: q.search, top, skip: skip > 0 ? skip : undefined });
}

/** Every matching group, page after page. */
export async function allGroups(api: AdminApi, q: StatusQuery): Promise<{ count: number; value: GroupSummary[] }> {
  const value: GroupSummary[] = [];
  let skip = 0;
  for (;;) {
    const page = await statusPage(api, q, MAX_PAGE, skip);
    value.push(...page.value);
    if (page.nextSkip === null || page.value.length === 0) return { count: page.count, value };
    skip = page.nextSkip;
  }
}

export async function countGroups(api: AdminApi, q: StatusQuery): Promise<number> {
  return (await statusPage(api, q, 1)).count;
}
