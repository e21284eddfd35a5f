// A group's complete direct member list with each member's identity, in one paged read:
// `GET /groups/{id}/members?$select=id,onPremisesSecurityIdentifier,onPremisesSyncEnabled,deviceId&$top=999`.
// Graph returns each member's `@odata.type` and, for the types the app may read (User.Read.All,
// Group.Read.All, Device.Read.All), the selected properties; a member it may not read comes with its id and type
// only and is skipped as it would be after a lookup. One call per 999 members instead of a member list plus
// `id in (...)` lookups of 15 ids each (docs/graph.md, "Member lists"). Long reads log their progress.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { MemberIdentityList } from '../../domain/member-list.js';
import type { MemberIdentity } from '../../domain/model.js';
import type { Logger } from '../../logging.js';
import { odataTypeName } from './group-wire.js';
import { readPages } from './links.js';

export const MEMBER_PAGE_SIZE = 999;
export const MEMBER_IDENTITY_SELECT = 'id,onPremisesSecurityIdentifier,onPremisesSyncEnabled,deviceId';
/** A progress line every this many pages (about 50,000 members). */
const PROGRESS_EVERY_PAGES = 50;

const pageSchema = z.looseObject({
  value: z.array(
    z.looseObject({
      id: z.string().min(1),
      '@odata.type': z.string().nullish(),
      onPremisesSecurityIdentifier: z.string().nullish(),
      onPremisesSyncEnabled: z.boolean().nullish(),
      deviceId: z.string().nullish(),
    }),
  ),
  '@odata.nextLink': z.string().nullish(),
});

function typeOf(odataType: string | null | undefined): MemberIdentity['type'] {
  const t = odataTypeName(odataType)?.toLowerCase();
  return t === 'user' || t === 'group' || t === 'device' ? t : 'other';
}

export interface MemberPagesOptions {
  baseUrl: string;
  log: Logger;
  /** The member count the caller expects (for the progress lines); null when unknown. */
  expected: number | null;
}

/** The group's members with their identities; null when the group does not exist. `groupId` is a checked GUID. */
export async function readMemberPages(client: Client, groupId: string, opts: MemberPagesOptions): Promise<MemberIdentityList | null> {
  const out = new MemberIdentityList();
  const started = Date.now();
  const first = client.api(`/groups/${groupId}/members`).version('v1.0').select(MEMBER_IDENTITY_SELECT).top(MEMBER_PAGE_SIZE);
  const found = await readPages(client, opts.baseUrl, first, (raw) => pageSchema.parse(raw), (page, pages, more) => {
    for (const m of page.value) {
      const type = typeOf(m['@odata.type']);
      out.push(m.id, {
        id: m.id,
        type,
        onPremisesSecurityIdentifier: type === 'other' ? null : (m.onPremisesSecurityIdentifier ?? null),
        onPremisesSyncEnabled: type === 'other' ? null : (m.onPremisesSyncEnabled ?? null),
        deviceId: type === 'device' ? (m.deviceId ?? null) : null,
      });
    }
    if (pages % PROGRESS_EVERY_PAGES === 0 || (!more && pages > PROGRESS_EVERY_PAGES)) {
      const seconds = (Date.now() - started) / 1000;
      const perSecond = seconds > 0 ? Math.round(out.size / seconds) : null;
      opts.log.info({ groupId, read: out.size, expected: opts.expected, perSecond, pages, done: !more }, 'reading group members');
    }
  });
  return found ? out : null;
}
