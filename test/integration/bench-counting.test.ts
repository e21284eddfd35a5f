// What the tenant-scale benchmarks count with, checked so a wrong count cannot pass for a figure: Graph
// requests at the simulator (HTTP and inside $batch, ids folded), table requests at the counting hop,
// the planner's round lines read from its log, and the cost arithmetic.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { costTable, perChange } from '../../bench/cost.js';
import type { PipelineCounts } from '../../bench/pipeline-counts.js';
import { RoundLog } from '../../bench/round-log.js';
import { startTableCounter } from '../../bench/table-count.js';
import { simulatorGraphClient } from '../support/graph.js';

describe('Graph simulator request counting', () => {
  let sim: GraphSimulator;
  let client: Client;
  beforeAll(async () => {
    sim = await startGraphSimulator({ tls: true });
    client = simulatorGraphClient(sim);
  });
  afterAll(async () => sim.close());

  it('counts HTTP requests and requests inside $batch apart, by kind with ids folded; reset starts again', async () => {
    const g = String(sim.control.createGroup({ displayName: 'Counted', kind: 'security' })['id']);
    sim.requests.reset();
    await client.api(`/groups/${g}`).get();
    await client.api(`/groups/${g}`).version('beta').get();
    await client.api('/$batch').post({ requests: [1, 2, 3].map((i) => ({ id: String(i), method: 'GET', url: `/groups/${g}` })) });
    const counts = sim.requests.snapshot();
    expect(counts.http).toBe(3);
    expect(counts.inBatch).toBe(3);
    expect(Object.fromEntries(counts.byKind)).toEqual({ 'GET /v1.0/groups/{id}': 4, 'GET /beta/groups/{id}': 1, 'POST /v1.0/$batch': 1 });
    sim.requests.reset();
    expect(sim.requests.snapshot()).toEqual({ http: 0, inBatch: 0, byKind: new Map() });
  });
});

describe('table request counting hop', () => {
  it('forwards every request and counts it by method and table, entity group transactions apart', async () => {
    const seen: string[] = [];
    const upstream = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    const counter = await startTableCounter({ host: '127.0.0.1', port: (upstream.address() as AddressInfo).port });
    try {
      const base = `http://127.0.0.1:${counter.address.port}/devstoreaccount1`;
      expect((await fetch(`${base}/plannedGroups(PartitionKey='t',RowKey='g')`)).status).toBe(204);
      expect((await fetch(`${base}/plannedGroups(PartitionKey='t',RowKey='h')`, { method: 'PUT', body: '{}' })).status).toBe(204);
      expect((await fetch(`${base}/$batch`, { method: 'POST', body: 'changeset' })).status).toBe(204);
      const counts = counter.snapshot();
      expect(seen).toHaveLength(3);
      expect(counts.total).toBe(3);
      expect(counts.batches).toBe(1);
      expect(Object.fromEntries(counts.byKind)).toEqual({ 'GET plannedGroups': 1, 'PUT plannedGroups': 1, 'POST $batch': 1 });
    } finally {
      await counter.close();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });
});

describe('round log', () => {
  it('reads rounds (with when planning began), progress and coalesced pokes from pino lines', () => {
    const log = new RoundLog('fatal');
    const line = (o: Record<string, unknown>): void => log.write(`${JSON.stringify({ level: 30, ...o })}\n`);
    line({ time: 1000, msg: 'poke coalesced into the queued follow-up round' });
    line({ time: 1500, msg: 'delta round planning' });
    line({ time: 1600, msg: 'delta round progress', planned: 200, of: 400, messages: 190 });
    line({ time: 2000, msg: 'delta round done', mode: 'delta', reason: 'notification', groupsInDelta: 3, groupsPlanned: 4, messagesSent: 3, deltaPages: 1 });
    line({ time: 2100, msg: 'poke coalesced: a round that started after it arrived served it' });
    line({ time: 2200, msg: 'change notifications accepted' });
    expect(log.rounds).toEqual([{ planningAt: 1500, at: 2000, mode: 'delta', reason: 'notification', groupsInDelta: 3, groupsPlanned: 4, messagesSent: 3, deltaPages: 1 }]);
    expect(log.progress).toEqual([{ at: 1600, planned: 200, of: 400, messages: 190 }]);
    expect([log.deferredPokes, log.servedPokes, log.lastCoalescedAt]).toEqual([1, 1, 2100]);
  });
});

describe('cost', () => {
  it('scales the counts per change and prices them', () => {
    const counts: PipelineCounts = {
      graphHttp: 10,
      graphInBatch: 90,
      graphByKind: new Map(),
      tableRequests: 1000,
      tableBatches: 0,
      tableByKind: new Map(),
      webhookCalls: 100,
      webhookFailures: 0,
      executions: new Map([
        ['planChanges', 100],
        ['recordResults', 100],
      ]),
      writebackMessages: 100,
    };
    const per = perChange(counts, 100);
    expect(per).toEqual({ executions: 3, messages: 3, tableTransactions: 10, graphCalls: 1 });
    const table = costTable(per, 1_000_000);
    // 3 M executions at $0.40 per million; 9 M Service Bus operations at $0.80; 10 M transactions at $0.00036 per 10,000.
    expect(table).toContain('$1.20');
    expect(table).toContain('$7.20');
    expect(table).toContain('$0.36');
    expect(table).toContain('**$8.76**');
  });
});
