// The admin API of the deletion guard on the local Functions host (the same definitions Azure registers):
// GET /api/held lists what is held, POST /api/held/{groupId}/approve marks it approved and pokes a round.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/catalog.js';
import { isHttpFunction } from '../../functions/registry.js';
import { startLocalHost, type LocalHost } from '../../dev/host/local-host.js';
import { createLocalRuntime, type LocalRuntime } from '../../dev/host/local-runtime.js';
import { pokeMessageSchema } from '../../shared/contracts/poke-message.js';
import type { HeldChange } from '../../shared/domain/deletion-guard.js';
import { silentLogger } from '../../shared/logging.js';
import { startTestEntra, type TestEntra } from '../support/entra.js';

const tenantId = '7d96a1c4-3333-4a2b-9c3d-0123456789ab';
const groupId = '0bc7e5a1-4444-4c44-8d55-66778899aabb';
const otherId = '0bc7e5a1-5555-4c44-8d55-66778899aabb';

let host: LocalHost | undefined;
let runtime: LocalRuntime;
let entra: TestEntra;

beforeAll(async () => {
  entra = await startTestEntra(tenantId);
});
afterAll(async () => {
  await entra.close();
});

async function start(): Promise<LocalHost> {
  host = await startLocalHost({
    runtime: async (hostUrl) => {
      runtime = await createLocalRuntime({ graphBaseUrl: entra.sim.baseUrl, tenantId, hostUrl, log: silentLogger() });
      return runtime;
    },
    timers: false,
    queues: false, // planChanges would take the poke
  });
  return host;
}

afterEach(async () => {
  await host?.close();
  host = undefined;
  await runtime?.close();
});

const held: HeldChange = {
  groupId,
  kind: 'deletion',
  deletions: 1,
  memberRemovals: 0,
  reason: 'deletion held: 20 group deletion(s) in the last 24 h',
  lifecycle: 'hardDeleted',
  afterSeq: 3,
  fingerprint: 'f1',
  heldAt: '2026-12-01T10:00:00.000Z',
  approvedAt: null,
  rejectedAt: null,
  rejectedBy: null,
};

describe('held change sets API', () => {
  it('no function route starts with `admin` or `runtime`: the Functions host reserves them and refuses to register', () => {
    const firstSegments = functionDefinitions.filter(isHttpFunction).map((d) => d.trigger.route.split('/')[0]!.toLowerCase());
    expect(firstSegments).toContain('held');
    expect(firstSegments.filter((s) => s.startsWith('admin') || s === 'runtime')).toEqual([]);
  });

  it('lists what is held with the window, and approves one: the record is marked and a round is poked', async () => {
    const h = await start();
    await runtime.planner.held.save(tenantId, held, null);

    expect((await fetch(`${h.url}/api/held`)).status).toBe(401);
    const list = await fetch(`${h.url}/api/held`, { headers: entra.headers(['Writeback.Read']) });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({
      count: 1,
      window: { deletions: 0, memberRemovals: 0, windowHours: 24, deletionThreshold: 20, memberRemovalThreshold: 1000 },
      value: [held],
    });

    expect((await fetch(`${h.url}/api/held/${groupId}/approve`, { method: 'POST', headers: entra.headers(['Writeback.Read']) })).status).toBe(403);
    const approve = (id: string): Promise<Response> => fetch(`${h.url}/api/held/${id}/approve`, { method: 'POST', headers: entra.headers() });
    expect((await approve('not-a-guid')).status).toBe(400);
    expect((await approve(otherId)).status).toBe(404);
    const res = await approve(groupId.toUpperCase());
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ groupId, approvedAt: expect.any(String) as string });
    expect((await runtime.planner.held.get(tenantId, groupId))?.held.approvedAt).toEqual(expect.any(String));

    const session = await runtime.queue.acceptNextSession(runtime.config.GRAPH_CHANGES_QUEUE, 100);
    const [poke] = await session!.receive(1, 100);
    expect(pokeMessageSchema.parse(poke!.body)).toMatchObject({ tenantId, reason: 'notification', groupIds: [groupId] });
    expect((await fetch(`${h.url}/api/held/${groupId}/approve`, { headers: entra.headers() })).status).toBe(405);
  });
});
