// Counters the planner-memory child puts around the planner's I/O: Graph calls by kind (global fetch, which
// the Graph SDK uses; the requests inside a `$batch` are counted by their own kind), table operations by
// table and operation, and the writeback messages sent (count, JSON bytes, kinds).
import type { EntityTable, TableStore } from '../shared/ports/table-store.js';
import type { QueueSender } from '../shared/ports/queue.js';

export type Counts = Record<string, number>;

const bump = (counts: Counts, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** A Graph URL (absolute or relative to the version) as a kind: the path with ids and query values left out. */
export function graphKind(url: string): string {
  const u = new URL(url, 'http://graph.invalid/v1.0/');
  const path = u.pathname.replace(/^\/(v1\.0|beta)\//, '/').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}');
  const query = [...u.searchParams.keys()].filter((k) => k === '$filter' || k === '$select').sort().join('&');
  return query === '' ? path : `${path}?${query}`;
}

export interface GraphCounters {
  calls: Counts;
  batched: Counts;
}

/** Counts the calls to `graphOrigin` (other fetches, e.g. the remote queue's, pass uncounted). */
export function countGraphCalls(graphOrigin: string): GraphCounters {
  const counters: GraphCounters = { calls: {}, batched: {} };
  const original = globalThis.fetch;
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (new URL(url).origin !== graphOrigin) return original(input, init);
    const kind = graphKind(url);
    bump(counters.calls, kind);
    if (kind === '/$batch' && typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { requests?: { url?: string }[] };
      for (const r of body.requests ?? []) bump(counters.batched, graphKind(r.url ?? ''));
    }
    return original(input, init);
  };
  return counters;
}

/** The store with every table operation counted as `<table> <operation>`. */
export function countTableOps(store: TableStore, counts: Counts): TableStore {
  return {
    table(name: string): EntityTable {
      const t = store.table(name);
      const count = (op: string): void => bump(counts, `${name} ${op}`);
      return {
        name: t.name,
        get: (pk, rk) => (count('get'), t.get(pk, rk)),
        upsert: (e, mode) => (count('upsert'), t.upsert(e, mode)),
        insertIfAbsent: (e) => (count('insertIfAbsent'), t.insertIfAbsent(e)),
        update: (e, etag, mode) => (count('update'), t.update(e, etag, mode)),
        delete: (pk, rk, etag) => (count('delete'), t.delete(pk, rk, etag)),
        listPartition: (pk) => (count('listPartition'), t.listPartition(pk)),
        query: (filter, options) => (count('query'), t.query(filter, options)),
        batch: (pk, ops) => (count('batch'), t.batch(pk, ops)),
      };
    },
    ensureTable: (name) => store.ensureTable(name),
    deleteTable: (name) => store.deleteTable(name),
    listTables: () => store.listTables(),
  };
}

export interface SentCounters {
  messages: number;
  bytes: number;
  kinds: Counts;
}

/** The sender with every message counted (its body's JSON bytes and its kind). */
export function countSent(sender: QueueSender, counters: SentCounters): QueueSender {
  return {
    async send(messages) {
      await sender.send(messages);
      for (const m of messages) {
        counters.messages += 1;
        counters.bytes += Buffer.byteLength(JSON.stringify(m.body), 'utf8');
        const kind = (m.body as { kind?: unknown }).kind;
        bump(counters.kinds, typeof kind === 'string' ? kind : 'other');
      }
    },
    close: () => sender.close(),
  };
}
