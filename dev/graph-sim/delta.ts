// GET /groups/delta: rounds of pages computed from the change log. A round is materialised when it
// starts (its pages are fixed, so a retried nextLink returns the same page) and ends with a deltaLink
// that encodes the log position it covered.
import { randomUUID } from 'node:crypto';
import { badRequest, GraphError, unsupportedQuery } from './errors.js';
import { decodeDeltaToken, decodeSkipToken, encodeToken, type DeltaQuery, type DeltaToken } from './delta-tokens.js';
import type { SimRequest, SimResponse } from './http-types.js';
import { parseSelect, serialize } from './serialize.js';
import type { SimClock } from './clock.js';
import type { DirectoryStore } from './store.js';
import { ODATA_TYPE, type ChangeEntry, type GroupRecord, type JsonObject, type ObjectKind } from './types.js';

export type TokenFailureMode = 'gone' | 'syncStateNotFound' | 'resyncRequired';

export interface DeltaBehavior {
  /** Items per page: a group object and each members@delta entry count one. */
  pageSize: number;
  /** Empty pages (value [] with a nextLink) at the start of every round. */
  emptyPagesPerRound: number;
  /** 0 = off; otherwise every Nth group object of a round is sent twice. */
  replayEvery: number;
  /** Later rounds carry only changed properties (plus id) instead of all selected ones. */
  changedPropertiesOnly: boolean;
  /** deltaLink lifetime (Graph: 7 days for directory objects); older -> 400 syncStateNotFound. */
  tokenLifetimeMs: number;
  /** Changes younger than this are held back to a later round (replication lag). */
  replicationLagMs: number;
}

export const DEFAULT_DELTA_BEHAVIOR: DeltaBehavior = {
  pageSize: 100,
  emptyPagesPerRound: 0,
  replayEvery: 0,
  changedPropertiesOnly: false,
  tokenLifetimeMs: 7 * 24 * 3600 * 1000,
  replicationLagMs: 0,
};

const MAX_FILTER_IDS = 50;
const MAX_ROUNDS = 500;

interface Round {
  pages: JsonObject[][];
  deltaToken: DeltaToken;
  context: string;
}

interface GroupItem {
  header: JsonObject;
  members: JsonObject[];
}

export class DeltaEngine {
  behavior: DeltaBehavior;
  private generation = 1;
  private staleMode: TokenFailureMode = 'gone';
  private readonly rounds = new Map<string, Round>();

  constructor(
    private readonly store: DirectoryStore,
    private readonly clock: SimClock,
    private readonly baseUrl: () => string,
    /** What reset() returns to (start options such as pageSize). */
    private readonly baseline: DeltaBehavior = DEFAULT_DELTA_BEHAVIOR,
  ) {
    this.behavior = { ...baseline };
  }

  /** Every token issued so far fails from now on, the way `mode` says. */
  invalidateTokens(mode: TokenFailureMode): void {
    this.generation += 1;
    this.staleMode = mode;
    this.rounds.clear();
  }

  reset(): void {
    this.invalidateTokens('syncStateNotFound');
    this.behavior = { ...this.baseline };
  }

  handle(req: SimRequest): SimResponse {
    for (const opt of ['$top', '$expand', '$orderby']) {
      if (req.query.has(opt)) throw unsupportedQuery(`The query parameter '${opt}' is not supported with change tracking over the 'groups' resource.`);
    }
    const skip = req.query.get('$skiptoken');
    if (skip) {
      const t = decodeSkipToken(skip);
      this.checkGeneration(t.g, req);
      const round = this.rounds.get(t.r);
      if (!round || t.p >= round.pages.length) throw syncStateNotFound();
      return this.page(req, t.r, round, t.p);
    }
    const deltaToken = req.query.get('$deltatoken');
    if (deltaToken === 'latest') {
      const q = this.parseQuery(req);
      const token: DeltaToken = { k: 'd', g: this.generation, s: this.store.lastSeq, t: this.clock.nowMs(), q };
      return { status: 200, body: { '@odata.context': this.context(q), '@odata.deltaLink': this.link(q, '$deltatoken', encodeToken(token)), value: [] } };
    }
    if (deltaToken) {
      const t = decodeDeltaToken(deltaToken);
      this.checkGeneration(t.g, req, t.q);
      if (this.clock.nowMs() - t.t > this.behavior.tokenLifetimeMs) throw syncStateNotFound();
      return this.startRound(req, t.q, t.s);
    }
    return this.startRound(req, this.parseQuery(req), null);
  }

  private parseQuery(req: SimRequest): DeltaQuery {
    const select = parseSelect(req.query.get('$select'), ['group'], req.version, ['members']);
    return { version: req.version, select, filterIds: parseIdFilter(req.query.get('$filter')) };
  }

  private checkGeneration(g: number, req: SimRequest, q?: DeltaQuery): void {
    if (g === this.generation) return;
    if (this.staleMode === 'gone') {
      const query = q ?? { version: req.version, select: null, filterIds: null };
      throw new GraphError(410, 'resyncRequired', 'The delta token is no longer valid: restart with a full synchronization from the Location header.', {
        Location: this.restartLink(query),
      });
    }
    if (this.staleMode === 'resyncRequired') {
      throw new GraphError(400, 'resyncRequired', 'Resync required. Replace any local cached data with a full synchronization.');
    }
    throw syncStateNotFound();
  }

  private startRound(req: SimRequest, q: DeltaQuery, fromSeq: number | null): SimResponse {
    const { items, toSeq } = fromSeq === null ? this.initialItems(q) : this.changedItems(q, fromSeq);
    const pages = this.paginate(items);
    for (let i = 0; i < this.behavior.emptyPagesPerRound; i++) pages.unshift([]);
    const id = randomUUID();
    const round: Round = { pages, deltaToken: { k: 'd', g: this.generation, s: toSeq, t: this.clock.nowMs(), q }, context: this.context(q) };
    this.rounds.set(id, round);
    if (this.rounds.size > MAX_ROUNDS) this.rounds.delete(this.rounds.keys().next().value as string);
    return this.page(req, id, round, 0);
  }

  private page(_req: SimRequest, roundId: string, round: Round, p: number): SimResponse {
    const body: JsonObject = { '@odata.context': round.context };
    const q = round.deltaToken.q;
    if (p + 1 < round.pages.length) {
      body['@odata.nextLink'] = this.link(q, '$skiptoken', encodeToken({ k: 's', g: this.generation, r: roundId, p: p + 1 }));
    } else {
      body['@odata.deltaLink'] = this.link(q, '$deltatoken', encodeToken(round.deltaToken));
    }
    body['value'] = round.pages[p] ?? [];
    return { status: 200, body };
  }

  /** First round: existing groups with their current members; deleted groups are omitted. */
  private initialItems(q: DeltaQuery): { items: GroupItem[]; toSeq: number } {
    const items: GroupItem[] = [];
    for (const g of this.store.groups.values()) {
      if (q.filterIds && !q.filterIds.includes(g.id)) continue;
      const members = wantsMembers(q)
        ? [...g.members].map((m) => memberEntry(m, this.store.find(m)?.kind ?? 'user', false))
        : [];
      items.push({ header: this.header(g, q, null), members });
    }
    return { items, toSeq: this.store.lastSeq };
  }

  /** Later rounds: what changed after fromSeq, collapsed per group (last member operation wins). */
  private changedItems(q: DeltaQuery, fromSeq: number): { items: GroupItem[]; toSeq: number } {
    const cutoff = this.clock.nowMs() - this.behavior.replicationLagMs;
    const window: ChangeEntry[] = [];
    let toSeq = fromSeq;
    for (const e of this.store.log) {
      if (e.seq <= fromSeq) continue;
      if (e.at > cutoff) break;
      window.push(e);
      toSeq = e.seq;
    }
    const perGroup = new Map<string, { props: Set<string>; removed: 'changed' | 'deleted' | null; members: Map<string, { kind: ObjectKind; op: 'add' | 'remove' }> }>();
    for (const e of window) {
      if (q.filterIds && !q.filterIds.includes(e.groupId)) continue;
      let acc = perGroup.get(e.groupId);
      if (!acc) {
        acc = { props: new Set(), removed: null, members: new Map() };
        perGroup.set(e.groupId, acc);
      }
      if (e.type === 'groupRemoved') {
        acc.removed = e.reason;
      } else if (e.type === 'group') {
        acc.removed = null;
        for (const p of e.properties) acc.props.add(p);
      } else {
        acc.members.set(e.memberId, { kind: e.memberKind, op: e.op });
      }
    }
    const items: GroupItem[] = [];
    for (const [groupId, acc] of perGroup) {
      const g = this.store.groups.get(groupId) ?? this.deletedGroup(groupId);
      if (acc.removed !== null || !g) {
        items.push({ header: { id: groupId, '@removed': { reason: acc.removed ?? 'deleted' } }, members: [] });
        continue;
      }
      const selected = q.select ?? null;
      const propChanged = [...acc.props].some((p) => selected === null || selected.includes(p));
      const members = wantsMembers(q) ? [...acc.members].map(([id, m]) => memberEntry(id, m.kind, m.op === 'remove')) : [];
      if (!propChanged && members.length === 0) continue;
      items.push({ header: this.header(g, q, this.behavior.changedPropertiesOnly ? acc.props : null), members });
    }
    return { items, toSeq };
  }

  private deletedGroup(id: string): GroupRecord | undefined {
    const d = this.store.deleted.get(id)?.record;
    return d?.kind === 'group' ? d : undefined;
  }

  private header(g: GroupRecord, q: DeltaQuery, onlyChanged: Set<string> | null): JsonObject {
    let select = q.select ? q.select.filter((s) => s !== 'members') : null;
    if (onlyChanged) select = (select ?? [...onlyChanged]).filter((s) => onlyChanged.has(s));
    const body = serialize(g, { version: q.version, select: select ?? null });
    // Delta always carries the id, whatever $select says.
    return { ...body, id: g.id };
  }

  private paginate(items: GroupItem[]): JsonObject[][] {
    const size = Math.max(2, this.behavior.pageSize);
    const pages: JsonObject[][] = [];
    let cur: JsonObject[] = [];
    let used = 0;
    let objects = 0;
    const push = (obj: JsonObject, cost: number): void => {
      cur.push(obj);
      used += cost;
      objects += 1;
      if (this.behavior.replayEvery > 0 && objects % this.behavior.replayEvery === 0) {
        // A replay: the same object again (Graph may repeat objects; consumers merge idempotently).
        cur.push(structuredClone(obj));
        used += cost;
      }
    };
    for (const item of items) {
      let idx = 0;
      let first = true;
      while (first || idx < item.members.length) {
        if (used >= size) {
          pages.push(cur);
          cur = [];
          used = 0;
        }
        const obj: JsonObject = first ? { ...item.header } : { id: item.header['id'] ?? null };
        const take = Math.min(item.members.length - idx, size - used - 1);
        if (take > 0) {
          obj['members@delta'] = item.members.slice(idx, idx + take);
          idx += take;
        }
        push(obj, 1 + Math.max(take, 0));
        first = false;
      }
    }
    pages.push(cur);
    return pages;
  }

  private context(q: DeltaQuery): string {
    const sel = q.select ? `(${q.select.join(',')})` : '';
    return `${this.baseUrl()}/${q.version}/$metadata#groups${sel}`;
  }

  /** A fresh round with the original query options and an empty $deltatoken. */
  private restartLink(q: DeltaQuery): string {
    const opts: string[] = [];
    if (q.select) opts.push(`$select=${q.select.join(',')}`);
    if (q.filterIds) opts.push(`$filter=${encodeURIComponent(q.filterIds.map((id) => `id eq '${id}'`).join(' or '))}`);
    opts.push('$deltatoken=');
    return `${this.baseUrl()}/${q.version}/groups/delta?${opts.join('&')}`;
  }

  private link(q: DeltaQuery, name: '$skiptoken' | '$deltatoken', token: string): string {
    return `${this.baseUrl()}/${q.version}/groups/delta?${name}=${token}`;
  }
}

function wantsMembers(q: DeltaQuery): boolean {
  return q.select === null || q.select.includes('members');
}

function memberEntry(id: string, kind: ObjectKind, removed: boolean): JsonObject {
  const e: JsonObject = { '@odata.type': ODATA_TYPE[kind], id };
  if (removed) e['@removed'] = { reason: 'deleted' };
  return e;
}

function syncStateNotFound(): GraphError {
  return new GraphError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.');
}

/** `id eq '..' or id eq '..'`: the only $filter groups delta supports, at most 50 ids. */
export function parseIdFilter(raw: string | null): string[] | null {
  if (raw === null || raw.trim() === '') return null;
  const ids: string[] = [];
  for (const clause of raw.split(/\s+or\s+/i)) {
    const m = /^\s*id\s+eq\s+'([^']+)'\s*$/i.exec(clause);
    if (!m?.[1]) throw unsupportedQuery(`Unsupported filter clause for change tracking: '${clause.trim()}'. Only "id eq '...'" joined by "or" is supported.`);
    ids.push(m[1]);
  }
  if (ids.length > MAX_FILTER_IDS) throw badRequest(`Too many ids in the filter: ${ids.length}; the maximum is ${MAX_FILTER_IDS}.`);
  return ids;
}
