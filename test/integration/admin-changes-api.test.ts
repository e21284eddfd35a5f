// The admin API's "changing things" routes on the local Functions host (the definitions Azure registers), signed
// in with real tokens from the Graph simulator's Entra part: every route refuses without a token (401) and without
// its role (403); rejecting a held change set; reading and changing the tenant settings (a change that would
// remove groups from AD needs confirmation); listing and resubmitting dead letters. planChanges is not served:
// the test looks at the pokes the routes queue.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { functionDefinitions } from '../../functions/catalog.js';
import { deltaRoundDeps } from '../../functions/planChanges.js';
import { buildPoke } from '../../shared/app/intake/pokes.js';
import { handlePoke } from '../../shared/app/round/poke-round.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import type { HeldChange } from '../../shared/domain/deletion-guard.js';
import { DEFAULT_STORED_SETTINGS } from '../../shared/domain/settings.js';
import { silentLogger } from '../../shared/logging.js';
import type { AdminRole } from '../../shared/security/admin-token.js';

const U = (n: number): string => `a3000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const G = (n: number): string => `b3000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const ADMIN_UPN = 'admin@simtenant.onmicrosoft.com';

let stack: FunctionsStack;

beforeEach(async () => {
  stack = await startFunctionsStack({ log: silentLogger(), host: { timers: false, queues: false, functions: functionDefinitions.filter((d) => d.name !== 'planChanges') } });
});
afterEach(async () => {
  await stack.close();
});

async function api(method: string, path: string, roles: AdminRole[] | null = ['Writeback.Admin'], body?: unknown): Promise<Response> {
  const headers: Record<string, string> = roles === null ? {} : { authorization: `Bearer ${stack.sim.entra.mintToken({ roles })}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${stack.host.url}/api/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** Takes every poke off graph-changes. */
async function takePokes(): Promise<PokeMessage[]> {
  const { queue, config } = stack.runtime;
  const out: PokeMessage[] = [];
  for (let session = await queue.acceptNextSession(config.GRAPH_CHANGES_QUEUE, 20); session !== null; session = await queue.acceptNextSession(config.GRAPH_CHANGES_QUEUE, 20)) {
    for (let batch = await session.receive(100, 20); batch.length > 0; batch = await session.receive(100, 20)) {
      for (const m of batch) {
        out.push(pokeMessageSchema.parse(m.body));
        await session.complete(m);
      }
    }
    await session.close();
  }
  return out;
}

describe('admin API: changing things', () => {
  it('refuses every route without a token (401) and without its role (403)', async () => {
    const g = G(1);
    const routes: { method: string; path: string; need: AdminRole }[] = [
      { method: 'POST', path: `groups/${g}/preview`, need: 'Writeback.Read' },
      { method: 'POST', path: `groups/${g}/sync`, need: 'Writeback.Admin' },
      { method: 'POST', path: `held/${g}/reject`, need: 'Writeback.Admin' },
      { method: 'GET', path: 'settings', need: 'Writeback.Read' },
      { method: 'PATCH', path: 'settings', need: 'Writeback.Admin' },
      { method: 'GET', path: 'dead-letters', need: 'Writeback.Read' },
      { method: 'POST', path: 'dead-letters/writeback/1/resubmit', need: 'Writeback.Admin' },
    ];
    for (const r of routes) {
      const label = `${r.method} ${r.path}`;
      expect((await api(r.method, r.path, null)).status, label).toBe(401);
      const lacking: AdminRole[] = r.need === 'Writeback.Admin' ? ['Writeback.Read'] : [];
      const refused = await api(r.method, r.path, lacking);
      expect(refused.status, label).toBe(403);
      expect(await refused.text(), label).toBe(`the app role ${r.need} is required`);
    }
    expect(await takePokes()).toEqual([]);
  });

  it('rejects a held change set: 202 with when, the status says who, nothing is held any more', async () => {
    const held: HeldChange = {
      groupId: G(2),
      kind: 'memberRemoval',
      deletions: 0,
      memberRemovals: 1200,
      reason: 'member removals held: this change removes 1200 member(s)',
      lifecycle: 'present',
      afterSeq: 7,
      fingerprint: 'f',
      heldAt: '2026-12-01T10:00:00.000Z',
      approvedAt: null,
      rejectedAt: null,
      rejectedBy: null,
    };
    const { runtime } = stack;
    await runtime.planner.held.save(runtime.config.GRAPH_TENANT_ID, held, null);

    expect((await api('POST', `held/not-a-guid/reject`)).status).toBe(400);
    expect((await api('POST', `held/${G(3)}/reject`)).status).toBe(404);
    const res = await api('POST', `held/${G(2).toUpperCase()}/reject`);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { groupId: string; rejectedAt: string };
    expect(body).toEqual({ groupId: G(2), rejectedAt: expect.any(String) as string });
    const status = await api('GET', `status/${G(2)}`, ['Writeback.Read']);
    expect(await status.json()).toMatchObject({ state: 'skipped', reason: `held change rejected by ${ADMIN_UPN}` });
    expect(await (await api('GET', 'held', ['Writeback.Read'])).json()).toMatchObject({ count: 0, value: [] });
    expect((await runtime.planner.held.get(runtime.config.GRAPH_TENANT_ID, G(2)))?.held).toMatchObject({ rejectedAt: body.rejectedAt, rejectedBy: ADMIN_UPN });
    expect(await takePokes()).toEqual([]); // a rejection asks for no round
  });

  it('reads and changes the settings; a change that would remove groups from AD says which and waits for confirm=true', async () => {
    const { runtime, sim } = stack;
    const tenantId = runtime.config.GRAPH_TENANT_ID;
    for (const n of [1, 2]) sim.control.createUser({ id: U(n), displayName: `Synced ${n}`, synced: true });
    sim.control.createGroup({ id: G(4), displayName: 'Finance', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(1)] });
    sim.control.createGroup({ id: G(5), displayName: 'Team', kind: 'm365', members: [U(2)] });
    sim.control.createGroup({ id: G(6), displayName: 'Not written', kind: 'security', members: [U(2)] });
    await handlePoke(deltaRoundDeps(runtime, silentLogger()), buildPoke(tenantId, 'resync', new Date()).body);
    expect((await runtime.planner.groups.list(tenantId)).filter((g) => g.written).map((g) => g.groupId).sort()).toEqual([G(4), G(5)]);

    const read = await api('GET', 'settings', ['Writeback.Read']);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ settings: DEFAULT_STORED_SETTINGS, effective: { newUnifiedGroupWritebackDefault: true } });

    // Thresholds and the safety net change no decision: saved, no round asked for.
    const limits = await api('PATCH', 'settings', undefined, { deletionThreshold: 5, memberRemovalThreshold: 50, safetyNetSeconds: 60 });
    expect(limits.status).toBe(200);
    expect(await limits.json()).toEqual({ settings: { ...DEFAULT_STORED_SETTINGS, deletionThreshold: 5, memberRemovalThreshold: 50, safetyNetSeconds: 60 } });
    expect(await takePokes()).toEqual([]);

    const off = await api('PATCH', 'settings', undefined, { writebackEnabled: false });
    expect(off.status).toBe(409);
    expect(await off.json()).toEqual({ wouldRemove: 2, groups: [{ groupId: G(4), displayName: 'Finance' }, { groupId: G(5), displayName: 'Team' }] });
    const v1 = await api('PATCH', 'settings?confirm=false', undefined, { groupWritebackV2: false });
    expect(await v1.json()).toEqual({ wouldRemove: 1, groups: [{ groupId: G(4), displayName: 'Finance' }] });
    expect((await runtime.planner.settings.load(tenantId)).writebackEnabled).toBe(true);
    expect(await takePokes()).toEqual([]);

    // A change that removes nothing needs no confirmation; one that does, with it, is saved and asks for a full round.
    expect((await api('PATCH', 'settings', undefined, { cnFormat: 'displayName' })).status).toBe(200);
    expect(await takePokes()).toEqual([expect.objectContaining({ reason: 'resync' })]);
    const confirmed = await api('PATCH', 'settings?confirm=true', undefined, { writebackEnabled: false });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ settings: { writebackEnabled: false, cnFormat: 'displayName', deletionThreshold: 5 } });
    expect(await takePokes()).toEqual([expect.objectContaining({ reason: 'resync' })]);

    // A member limit decides which groups are written: saved and a full round asked for; null removes it.
    const limited = await api('PATCH', 'settings', undefined, { memberLimit: 250_000 });
    expect(await limited.json()).toMatchObject({ settings: { memberLimit: 250_000 } });
    expect(await takePokes()).toEqual([expect.objectContaining({ reason: 'resync' })]);
    expect(await (await api('PATCH', 'settings', undefined, { memberLimit: null })).json()).toMatchObject({ settings: { memberLimit: null } });

    for (const bad of [{ safetyNetSeconds: 5 }, { unknownSetting: true }, { deletionThreshold: 'many' }, { memberLimit: 0 }, { memberLimit: 2.5 }]) {
      const res = await api('PATCH', 'settings?confirm=true', undefined, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await api('PATCH', 'settings')).status).toBe(400); // no body
  });

  it('lists dead letters with reason and group, and resubmits one under a new messageId', async () => {
    const { runtime } = stack;
    const queueName = runtime.config.WRITEBACK_QUEUE;
    const body = { v: 1, tenantId: runtime.config.GRAPH_TENANT_ID, groupId: G(7), seq: 5, kind: 'delete', anchor: `Group_${G(7)}`, reason: 'hardDeleted' };
    await runtime.sender(queueName).send([{ messageId: `${G(7)}:5`, sessionId: G(7), body }]);
    const session = await runtime.queue.acceptNextSession(queueName, 100);
    const [m] = await session!.receive(1, 100);
    await session!.deadLetter(m!, { reason: 'WritebackOuMissing', description: 'the writeback OU does not exist' });
    await session!.close();

    expect((await api('GET', 'dead-letters?queue=nowhere', ['Writeback.Read'])).status).toBe(400);
    expect(await (await api('GET', 'dead-letters?queue=graph-changes', ['Writeback.Read'])).json()).toEqual({ value: [] });
    const list = await api('GET', 'dead-letters', ['Writeback.Read']);
    expect(list.status).toBe(200);
    const { value } = (await list.json()) as { value: { sequenceNumber: string }[] };
    expect(value).toEqual([
      {
        queue: 'writeback',
        sequenceNumber: m!.sequenceNumber.toString(),
        messageId: `${G(7)}:5`,
        groupId: G(7),
        reason: 'WritebackOuMissing',
        description: 'the writeback OU does not exist',
        enqueuedAt: m!.enqueuedTimeUtc.toISOString(),
        deliveryCount: 1,
      },
    ]);

    expect((await api('POST', `dead-letters/writeback/${value[0]!.sequenceNumber}9/resubmit`)).status).toBe(404);
    expect((await api('POST', `dead-letters/nowhere/1/resubmit`)).status).toBe(400);
    const resubmit = await api('POST', `dead-letters/writeback/${value[0]!.sequenceNumber}/resubmit`);
    expect(resubmit.status).toBe(202);
    expect(await runtime.queue.peekDeadLetters(queueName, 10)).toEqual([]);
    const again = await runtime.queue.acceptNextSession(queueName, 100);
    const [copy] = await again!.receive(10, 100);
    expect(copy).toMatchObject({ sessionId: G(7), body });
    expect(copy!.messageId).toMatch(new RegExp(`^${G(7)}:5:resubmit-[0-9a-f]{8}$`));
    await again!.complete(copy!);
    await again!.close();
    expect((await api('POST', `dead-letters/writeback/${value[0]!.sequenceNumber}/resubmit`)).status).toBe(404);
  });
});
