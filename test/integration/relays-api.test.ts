// GET /api/relays on the local host: relays known from their heartbeats on the results queue (recorded by
// recordResults), a silent one flagged; refused without a token or role.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/catalog.js';
import { startLocalHost, type LocalHost } from '../../dev/host/local-host.js';
import { createLocalRuntime, type LocalRuntime } from '../../dev/host/local-runtime.js';
import type { HeartbeatMessage } from '../../shared/contracts/heartbeat-message.js';
import { silentLogger } from '../../shared/logging.js';
import { startTestEntra, type TestEntra } from '../support/entra.js';

const tenantId = '7d96a1c4-7777-4a2b-9c3d-0123456789ab';
let host: LocalHost | undefined;
let runtime: LocalRuntime;
let entra: TestEntra;
let now = new Date('2026-11-30T10:00:00.000Z');

beforeAll(async () => {
  entra = await startTestEntra(tenantId);
});
afterAll(async () => {
  await entra.close();
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await runtime?.close();
});

function heartbeat(relayId: string, at: string): HeartbeatMessage {
  return {
    v: 1,
    type: 'heartbeat',
    mode: 'running',
    relayId,
    version: '0.1.0',
    host: `${relayId}.corp.example`,
    dc: 'ldaps://dc1.corp.example:636',
    directoryAvailable: true,
    lastMessageAt: null,
    startedAt: '2026-11-30T09:00:00.000Z',
    counts: { sessions: 1, messages: 2, applied: 2, partial: 0, failed: 0, skipped: 0, deadLettered: 0, retries: 0 },
    at,
  };
}

/** An admin's token issued on the runtime's clock (the test moves it). */
const as = (roles: ('Writeback.Read' | 'Writeback.Admin')[]): Record<string, string> => ({
  authorization: `Bearer ${entra.sim.entra.mintToken({ roles, issuedAt: now })}`,
});

describe('relays API', () => {
  it('lists relays from their heartbeats and flags the silent one', async () => {
    host = await startLocalHost({
      runtime: async (hostUrl) => {
        runtime = await createLocalRuntime({ graphBaseUrl: entra.sim.baseUrl, tenantId, hostUrl, log: silentLogger(), now: () => now });
        return runtime;
      },
      functions: functionDefinitions,
      timers: false,
      queuePollMs: 20,
    });
    const settled = new Promise<void>((resolve) => {
      let seen = 0;
      const off = host!.onSettled(() => {
        if (++seen === 1) {
          off();
          resolve();
        }
      });
    });
    await runtime.sender(runtime.config.WRITEBACK_RESULTS_QUEUE).send([{ messageId: 'hb-1', subject: 'heartbeat', body: heartbeat('relay-01', now.toISOString()) }]);
    await settled;
    const second = new Promise<void>((resolve) => {
      const off = host!.onSettled(() => {
        off();
        resolve();
      });
    });
    now = new Date(now.getTime() + 600_000); // relay-01 silent for 10 minutes, relay-02 just heard from
    await runtime.sender(runtime.config.WRITEBACK_RESULTS_QUEUE).send([{ messageId: 'hb-2', subject: 'heartbeat', body: heartbeat('relay-02', now.toISOString()) }]);
    await second;

    expect((await fetch(`${host.url}/api/relays`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/relays`, { headers: as([]) })).status).toBe(403);
    const res = await fetch(`${host.url}/api/relays`, { headers: as(['Writeback.Read']) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: { relayId: string; silent: boolean; silentForSeconds: number; version: string; dcUrl: string }[] };
    const byId = new Map(body.value.map((r) => [r.relayId, r]));
    expect(byId.get('relay-01')).toMatchObject({ silent: true, silentForSeconds: 600, version: '0.1.0', dcUrl: 'ldaps://dc1.corp.example:636' });
    expect(byId.get('relay-02')).toMatchObject({ silent: false, silentForSeconds: 0 });
    expect((await fetch(`${host.url}/api/relays?silentAfterSeconds=700`, { headers: as(['Writeback.Read']) }).then((r) => r.json()) as typeof body).value.every((r) => !r.silent)).toBe(true);
    expect((await fetch(`${host.url}/api/relays?silentAfterSeconds=x`, { headers: as(['Writeback.Read']) })).status).toBe(400);
  });
});
