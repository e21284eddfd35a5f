// A group named on the command line: its id as given, or its display name looked up with
// /api/status?search=. Only an exact name (any case) or a unique id prefix is taken: a command that changes
// things must not act on a group the admin did not name. Several, or none: the candidates are listed, exit 1.
import { isGuid, normaliseId } from '../shared/domain/ids.js';
import type { AdminApi } from './api/admin-api.js';
import type { GroupSummary } from './api/schemas.js';
import { statusPage } from './api/status-pages.js';
import { CliError } from './command-line.js';
import { groupName } from './output/format.js';

export interface NamedGroup {
  groupId: string;
  displayName: string | null;
}

const ID_PREFIX = /^[0-9a-f-]{8,}$/i;
const LISTED = 20;

export async function resolveGroup(api: AdminApi, given: string): Promise<NamedGroup> {
  if (isGuid(given)) return { groupId: normaliseId(given), displayName: null };
  const page = await statusPage(api, { search: given }, 100);
  const lower = given.toLowerCase();
  // The API searches the same way (name substring, id prefix); matching again keeps the rule here whole.
  const candidates = page.value.filter((g) => (g.displayName ?? '').toLowerCase().includes(lower) || g.groupId.startsWith(lower));
  const exact = candidates.filter((g) => (g.displayName ?? '').toLowerCase() === lower || (ID_PREFIX.test(given) && g.groupId.startsWith(lower)));
  if (exact.length === 1) return { groupId: exact[0]!.groupId, displayName: exact[0]!.displayName };
  if (exact.length > 1) throw new CliError(`"${given}" names ${exact.length} groups; give the id of one:\n${list(exact)}`);
  if (candidates.length === 0) throw new CliError(`no group is named "${given}" (gwb status --search lists what there is)`);
  throw new CliError(`no group is named exactly "${given}"; groups whose name contains it:\n${list(candidates)}`);
}

function list(groups: GroupSummary[]): string {
  const lines = groups.slice(0, LISTED).map((g) => `  ${groupName(g.displayName, g.groupId)}  ${g.state}`);
  if (groups.length > LISTED) lines.push(`  ... and ${groups.length - LISTED} more`);
  return lines.join('\n');
}
