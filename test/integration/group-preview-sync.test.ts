// Preview and on-demand sync of one group on the local Functions host, with the whole cloud side as served there
// (planChanges takes the pokes, recordResults the results) and the relay simulated: the test takes the change sets
// off the writeback queue and sends the results the relay would send. A preview sends and saves nothing; a sync
// asks planChanges for the group's full state (no member cap) and reports each step as it observed it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { buildResult } from '../../relay/consume/results.js';
import type { ResultMessage } from '../../shared/contracts/result-message.js';
import { writebackMessageSchema, type WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { silentLogger } from '../../shared/logging.js';
import type { AdminRole } from '../../shared/security/admin-token.js';
import type { GroupPreview } from '../../shared/app/preview/preview-view.js';
import type { SyncReport } from '../../shared/app/sync/group-sync.js';

const U = (n: number): string => `a4000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const G = (n: number): string => `b4000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

let stack: FunctionsStack;

beforeEach(async () => {
  stack = await startFunctionsStack({ log: silentLogger(), host: { timers: false, queuePollMs: 50 } });
  const c = stack.sim.control;
  for (let n = 1; n <= 8; n++) c.createUser({ id: U(n), displayName: `Synced ${n}`, userPrincipalName: `synced${n}@contoso.example`, synced: true });
  c.createUser({ id: U(9), displayName: 'Cloud Only', userPrincipalName: 'cloud.only@contoso.example' });
});
afterEach(async () => {
  await stack.close();
});

function api(method: string, path: string, roles: AdminRole[] = ['Writeback.Admin']): Promise<Response> {
  return fetch(`${stack.host.url}/api/${path}`, { method, headers: { authorization: `Bearer ${stack.sim.entra.mintToken({ roles })}` } });
}

async function preview(groupId: string): Promise<GroupPreview> {
  const res = await api('POST', `groups/${groupId}/preview`, ['Writeback.Read']);
  expect(res.status).toBe(200);
  return (await res.json()) as GroupPreview;
}

/** The relay's side: takes one group's change sets off the writeback queue (waiting up to `waitMs` for them). */
async function takeChangeSets(waitMs: number): Promise<WritebackMessage[]> {
  const { queue, config } = stack.runtime;
  const session = await queue.acceptNextSession(config.WRITEBACK_QUEUE, waitMs);
  if (session === null) return [];
  const out: WritebackMessage[] = [];
  for (let batch = await session.receive(100, 50); batch.length > 0; batch = await session.receive(100, 50)) {
    for (const m of batch) {
      out.push(writebackMessageSchema.parse(m.body));
      await session.complete(m);
    }
  }
  await session.close();
  return out;
}

const applied = (m: WritebackMessage, added: number): ResultMessage =>
  buildResult(m, { outcome: 'applied', ad: { objectGUID: 'guid', objectSid: 'S-1-5-21-9-9-9-1300', dn: `CN=Group_${m.groupId},OU=WB` }, memberErrors: [], error: null, membersAdded: added, membersRemoved: 0 }, { relayId: 'relay-test', durationMs: 2, at: new Date() });

async function report(results: readonly ResultMessage[]): Promise<void> {
  await stack.runtime.sender(stack.runtime.config.WRITEBACK_RESULTS_QUEUE).send(results.map((r) => ({ messageId: r.messageId, body: r })));
}

const writebackCounts = () => stack.runtime.broker.counts(stack.runtime.config.WRITEBACK_QUEUE);

describe('preview of one group', () => {
  it('says what a sync would do, names the members, and sends and saves nothing', async () => {
    const g = G(1);
    const c = stack.sim.control;
    c.createGroup({ id: g, displayName: 'Finance', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(1), U(2), U(9)] });
    const tenantId = stack.runtime.config.GRAPH_TENANT_ID;

    const first = await preview(g.toUpperCase());
    expect(first).toEqual({
      groupId: g,
      displayName: 'Finance',
      actions: [
        { kind: 'create', detail: `create "Group_${g}" as universalSecurityGroup (sAMAccountName Group_${g.replace(/-/g, '').slice(-14)})` },
        {
          kind: 'addMembers',
          detail: 'add 2 member(s)',
          count: 2,
          members: [
            { memberId: U(1), displayName: 'Synced 1', userPrincipalName: 'synced1@contoso.example' },
            { memberId: U(2), displayName: 'Synced 2', userPrincipalName: 'synced2@contoso.example' },
          ],
        },
      ],
      summary: expect.stringContaining('1 member(s) not written: cloud-only user') as string,
    });
    expect(writebackCounts()).toMatchObject({ active: 0, locked: 0, scheduled: 0 });
    expect(await stack.runtime.planner.groups.load(tenantId, g)).toBeNull();

    // Written once (a sync), then changed in the cloud: renamed, one member in, one out.
    const synced = api('POST', `groups/${g}/sync?waitSeconds=20`);
    const [create] = await takeChangeSets(10_000);
    await report([applied(create!, 2)]);
    expect((await synced).status).toBe(200);
    const seq = (await stack.runtime.planner.groups.load(tenantId, g))!.seq;
    c.updateGroup(g, { properties: { displayName: 'Finance EU' } });
    c.addMembers(g, [U(3)]);
    c.removeMembers(g, [U(1)]);
    await stack.runtime.planner.settings.update(tenantId, { cnFormat: 'displayName' }); // no round: the preview shows the rename
    expect((await preview(g)).actions).toEqual([
      { kind: 'rename', detail: `rename cn "Group_${g}" to "Finance EU_${g.replace(/-/g, '').slice(-12)}"` },
      { kind: 'updateAttributes', detail: 'update displayName "Finance" -> "Finance EU"' },
      { kind: 'addMembers', detail: 'add 1 member(s)', count: 1, members: [{ memberId: U(3), displayName: 'Synced 3', userPrincipalName: 'synced3@contoso.example' }] },
      { kind: 'removeMembers', detail: 'remove 1 member(s)', count: 1, members: [{ memberId: U(1), displayName: 'Synced 1', userPrincipalName: 'synced1@contoso.example' }] },
    ]);
    expect(writebackCounts()).toMatchObject({ active: 0, locked: 0, scheduled: 0 });
    expect((await stack.runtime.planner.groups.load(tenantId, g))!.seq).toBe(seq);

    // A security group is deleted for good, and without delta's notice the product does not know that yet.
    c.deleteGroup(g);
    expect((await preview(g)).actions).toEqual([{ kind: 'none', detail: expect.stringMatching(/^not found in the cloud \(nor in deleted items\), no deletion notice/) as string }]);

    expect((await api('POST', `groups/${G(99)}/preview`, ['Writeback.Read'])).status).toBe(404);
    expect((await api('POST', 'groups/not-a-guid/preview', ['Writeback.Read'])).status).toBe(400);
  });
});

describe('on-demand sync of one group', () => {
  it('sends the full state past Cloud Sync\'s 5-member cap and reports each step up to the relay\'s result', async () => {
    const g = G(2);
    const members = [1, 2, 3, 4, 5, 6, 7, 8].map(U);
    stack.sim.control.createGroup({ id: g, displayName: 'Big', kind: 'm365', members });

    const pending = api('POST', `groups/${g}/sync?waitSeconds=20`);
    const sent = await takeChangeSets(10_000);
    expect(sent.map((m) => m.kind)).toEqual(['snapshot']);
    expect(sent[0]!.kind === 'snapshot' && sent[0]!.members.map((m) => m.cloudId).sort()).toEqual(members);
    await report([applied(sent[0]!, 8)]);
    const res = await pending;
    expect(res.status).toBe(200);
    const { groupId, steps } = (await res.json()) as SyncReport;
    expect(groupId).toBe(g);
    const seq = sent[0]!.seq;
    expect(steps.map(({ step, ok, detail }) => ({ step, ok, detail }))).toEqual([
      { step: 'readCloud', ok: true, detail: 'found: "Big", microsoft365, writebackConfiguration isEnabled null, onPremisesGroupType null' },
      { step: 'decide', ok: true, detail: 'written back as universalDistributionGroup' },
      { step: 'plan', ok: true, detail: `planned (create "Group_${g}" as universalDistributionGroup (sAMAccountName Group_${g.replace(/-/g, '').slice(-14)}); add 8 member(s)): seqs ${seq}..${seq}` },
      { step: 'send', ok: true, detail: `sent to the writeback queue as messages ${g}:${seq}..${g}:${seq}` },
      { step: 'relayResult', ok: true, detail: `applied (written): 8 member(s) added, 0 removed; CN=Group_${g},OU=WB` },
    ]);
    for (const s of steps) expect(Date.parse(s.at)).not.toBeNaN();

    // Again, with no relay answering: the change set is planned and sent, its result still pending.
    const unanswered = (await (await api('POST', `groups/${g}/sync?waitSeconds=2`)).json()) as SyncReport;
    expect(unanswered.steps.map((s) => [s.step, s.ok])).toEqual([
      ['readCloud', true],
      ['decide', true],
      ['plan', true],
      ['send', true],
      ['relayResult', false],
    ]);
    expect(unanswered.steps[2]!.detail).toMatch(/^planned \(AD already holds the planned state; a sync sends it whole again \(8 member\(s\)\)\)/);
    expect(unanswered.steps[4]!.detail).toMatch(/^still pending: no result within 2 s/);
    expect((await takeChangeSets(1000)).map((m) => m.kind)).toEqual(['snapshot']);

    stack.sim.control.deleteGroup(g); // a Microsoft 365 group: soft-deleted, restorable
    expect((await preview(g)).actions.map(({ kind, count }) => ({ kind, count }))).toEqual([
      { kind: 'softDelete', count: undefined },
      { kind: 'removeMembers', count: 8 },
    ]);
  });

  it('stops at the deletion guard: held by the round it asked for, then held or rejected already', async () => {
    const g = G(4);
    const tenantId = stack.runtime.config.GRAPH_TENANT_ID;
    stack.sim.control.createGroup({ id: g, displayName: 'Guarded', kind: 'm365', members: [U(1), U(2), U(3)] });
    const first = api('POST', `groups/${g}/sync?waitSeconds=20`);
    await report((await takeChangeSets(10_000)).map((m) => applied(m, 3)));
    expect((await first).status).toBe(200);

    await stack.runtime.planner.settings.update(tenantId, { memberRemovalThreshold: 1 });
    stack.sim.control.removeMembers(g, [U(1), U(2)]);
    const stepsOf = async (): Promise<{ step: string; ok: boolean; detail: string }[]> =>
      ((await (await api('POST', `groups/${g}/sync?waitSeconds=20`)).json()) as SyncReport).steps.map(({ step, ok, detail }) => ({ step, ok, detail }));
    expect((await stepsOf()).slice(2)).toEqual([
      { step: 'plan', ok: false, detail: expect.stringMatching(/^held by the deletion guard: member removals held: this change removes 2 member/) as string },
    ]);
    expect((await stepsOf()).slice(2)).toEqual([
      { step: 'plan', ok: false, detail: expect.stringMatching(/^held by the deletion guard since .*: approve \(POST \/api\/held\/.*\/approve\) or reject it/) as string },
    ]);
    expect((await api('POST', `held/${g}/reject`)).status).toBe(202);
    expect((await stepsOf()).slice(2)).toEqual([
      { step: 'plan', ok: false, detail: expect.stringMatching(/^rejected by admin@simtenant.onmicrosoft.com at .*: not sent until the cloud changes the group$/) as string },
    ]);
    expect(writebackCounts()).toMatchObject({ active: 0, locked: 0, scheduled: 0 });
  });

  it('sends nothing for a group the policy does not write, and refuses bad input', async () => {
    stack.sim.control.createGroup({ id: G(3), displayName: 'Mail list', kind: 'distribution', members: [U(1)] });
    const res = await api('POST', `groups/${G(3)}/sync`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as SyncReport).steps.map(({ step, ok, detail }) => ({ step, ok, detail }))).toEqual([
      { step: 'readCloud', ok: true, detail: 'found: "Mail list", distribution, writebackConfiguration isEnabled null, onPremisesGroupType null' },
      { step: 'decide', ok: true, detail: 'not written back: cloud distribution lists are not written back' },
      { step: 'plan', ok: true, detail: 'nothing to send: not written: cloud distribution lists are not written back' },
    ]);
    expect((await api('POST', `groups/${G(3)}/sync?waitSeconds=500`)).status).toBe(400);
    expect((await api('POST', `groups/${G(98)}/sync`)).status).toBe(404);
    expect(writebackCounts()).toMatchObject({ active: 0, locked: 0, scheduled: 0 });
  });
});
