// The directory reader over Microsoft Graph (shared/ports/directory.ts): delta rounds over /v1.0/groups/delta,
// group reads with writebackConfiguration from /beta (in $batch calls of 20), member lists (with their
// identities: member-pages.ts), member identities
// (and names, for the admin API) and the tenant's Group.Unified setting. 429 and 503 on single calls are retried by the SDK's RetryHandler
// (default middleware, Retry-After honoured); inner $batch answers are retried in batch.ts.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { Logger } from '../../logging.js';
import type { DeltaGroupItem } from '../../domain/delta-merge.js';
import { isGuid } from '../../domain/ids.js';
import type { MemberIdentityList } from '../../domain/member-list.js';
import type { MemberIdentity } from '../../domain/model.js';
import type { DeltaRoundOutcome, DirectoryReader, GroupRead, MemberId, MemberName, MemberNameReader } from '../../ports/directory.js';
import { mapLimit } from '../../concurrency.js';
import { batchGet, chunk, MAX_BATCH_REQUESTS } from './batch.js';
import { deltaResetReason } from './graph-errors.js';
import { cloudGroupOf, DELTA_SELECT, deltaItemsOf, GROUP_READ_SELECT, odataTypeName } from './group-wire.js';
import { followLink, readPages } from './links.js';
import { readMemberIdentities, readMemberNames } from './member-identities.js';
import { readMemberPages } from './member-pages.js';
import { readUnifiedGroupWritebackDefault } from './tenant-settings.js';

export interface GraphDirectoryOptions {
  /** Origin of the Graph endpoint the client talks to (links elsewhere are not followed). */
  baseUrl: string;
  log: Logger;
  /** Parallel $batch calls. */
  concurrency?: number;
  /** Safety stop for a delta round that never ends (Graph bug or loop). */
  maxPages?: number;
}

const memberPageSchema = z.looseObject({
  value: z.array(z.looseObject({ id: z.string().min(1), '@odata.type': z.string().nullish() })),
  '@odata.nextLink': z.string().nullish(),
});

function assertGuid(id: string): string {
  // Ids go into URL paths: never let anything but a GUID through.
  if (!isGuid(id)) throw new Error(`not a directory object id: ${JSON.stringify(id)}`);
  return id;
}

export class GraphDirectoryReader implements DirectoryReader, MemberNameReader {
  private readonly concurrency: number;
  private readonly maxPages: number;

  constructor(
    private readonly client: Client,
    private readonly opts: GraphDirectoryOptions,
  ) {
    this.concurrency = opts.concurrency ?? 4;
    this.maxPages = opts.maxPages ?? 1_000_000;
  }

  async groupsDelta(deltaLink: string | null, onPage: (items: DeltaGroupItem[]) => void | Promise<void>): Promise<DeltaRoundOutcome> {
    let request = deltaLink === null ? this.client.api('/groups/delta').version('v1.0').select(DELTA_SELECT) : followLink(this.client, this.opts.baseUrl, deltaLink);
    let pages = 0;
    let items = 0;
    for (;;) {
      let raw: unknown;
      try {
        raw = await request.get();
      } catch (err) {
        const reset = deltaResetReason(err);
        if (reset !== null) return { kind: 'resetRequired', reason: reset };
        throw err;
      }
      const page = deltaItemsOf(raw);
      pages++;
      items += page.items.length;
      await onPage(page.items);
      if (pages % 100 === 0) this.opts.log.info({ pages, items }, 'delta round in progress');
      if (page.deltaLink !== null) return { kind: 'complete', deltaLink: page.deltaLink, pages, items };
      if (page.nextLink === null) throw new Error('a delta page carried neither @odata.nextLink nor @odata.deltaLink');
      if (pages >= this.maxPages) throw new Error(`delta round stopped after ${pages} pages`);
      request = followLink(this.client, this.opts.baseUrl, page.nextLink);
    }
  }

  async readGroups(groupIds: readonly string[], onRequest?: (groupIds: readonly string[]) => void): Promise<Map<string, GroupRead>> {
    const out = new Map<string, GroupRead>();
    await mapLimit(chunk([...new Set(groupIds)], MAX_BATCH_REQUESTS), this.concurrency, async (ids) => {
      onRequest?.(ids);
      const answers = await batchGet(
        this.client,
        'beta',
        ids.map((id, i) => ({ id: String(i), url: `/groups/${assertGuid(id)}?$select=${GROUP_READ_SELECT}` })),
      );
      ids.forEach((id, i) => {
        const a = answers.get(String(i))!;
        if (a.status === 404) {
          out.set(id, { kind: 'notFound' });
          return;
        }
        if (a.status !== 200) throw new Error(`reading group ${id} failed with ${a.status}`);
        const group = cloudGroupOf(a.body);
        if (group === null) throw new Error(`group ${id} was read without writebackConfiguration`);
        out.set(id, { kind: 'found', group });
      });
    });
    return out;
  }

  async deletedGroups(groupIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    await mapLimit(chunk([...new Set(groupIds)], MAX_BATCH_REQUESTS), this.concurrency, async (ids) => {
      const answers = await batchGet(
        this.client,
        'v1.0',
        ids.map((id, i) => ({ id: String(i), url: `/directory/deletedItems/${assertGuid(id)}?$select=id` })),
      );
      ids.forEach((id, i) => {
        const a = answers.get(String(i))!;
        if (a.status === 200) out.add(id);
        else if (a.status !== 404) throw new Error(`reading deleted item ${id} failed with ${a.status}`);
      });
    });
    return out;
  }

  async groupMembers(groupId: string): Promise<MemberId[] | null> {
    const out: MemberId[] = [];
    const first = this.client.api(`/groups/${assertGuid(groupId)}/members`).version('v1.0').select('id').top(999);
    const found = await readPages(this.client, this.opts.baseUrl, first, (raw) => memberPageSchema.parse(raw), (page) => {
      for (const m of page.value) out.push({ id: m.id, type: odataTypeName(m['@odata.type']) });
    });
    return found ? out : null;
  }

  groupMemberIdentities(groupId: string, expected: number | null = null): Promise<MemberIdentityList | null> {
    return readMemberPages(this.client, assertGuid(groupId), { baseUrl: this.opts.baseUrl, log: this.opts.log, expected });
  }

  memberIdentities(members: readonly MemberId[]): Promise<Map<string, MemberIdentity>> {
    return readMemberIdentities(this.client, members, this.concurrency);
  }

  memberNames(ids: readonly string[]): Promise<Map<string, MemberName>> {
    return readMemberNames(this.client, ids.map(assertGuid), this.concurrency);
  }

  unifiedGroupWritebackDefault(): Promise<boolean | null> {
    return readUnifiedGroupWritebackDefault(this.client);
  }
}
