// A counting HTTP hop in front of Azurite's table service: every request the Functions runtime makes to
// table storage is one billable table transaction in Azure (a query page, a point read, a write, an
// entity group transaction), so the benchmarks count requests here rather than calls of the table port,
// which hides paging.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TableRequestCounts {
  total: number;
  /** Entity group transactions ($batch); each is one request however many entities it carries. */
  batches: number;
  /** Per `METHOD table`, e.g. `GET groupState`, `POST $batch`. */
  byKind: ReadonlyMap<string, number>;
}

export interface TableCounter {
  readonly address: { host: string; port: number };
  snapshot(): TableRequestCounts;
  reset(): void;
  close(): Promise<void>;
}

/** `/devstoreaccount1/groupState(PartitionKey='x',RowKey='y')?...` -> `groupState`. */
function tableOf(url: string): string {
  const segments = url.split('?')[0]!.split('/').filter(Boolean);
  // Azurite puts the account name first in the path.
  const name = segments[1] ?? segments[0] ?? '';
  return name.replace(/\(.*$/, '');
}

export async function startTableCounter(target: { host: string; port: number }): Promise<TableCounter> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let total = 0;
  let batches = 0;
  const byKind = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const table = tableOf(req.url ?? '/');
    const kind = `${req.method ?? 'GET'} ${table}`;
    total += 1;
    if (table === '$batch') batches += 1;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const upstream = http.request({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    address: { host: '127.0.0.1', port },
    snapshot: () => ({ total, batches, byKind: new Map(byKind) }),
    reset() {
      total = 0;
      batches = 0;
      byKind.clear();
    },
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
