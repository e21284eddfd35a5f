// Changing the relay's writeback OU (docs/relay.md, "Changing the writeback OU") on the real Samba DC, with
// the relay's own account: groups written into OU A; the relay restarted with OU B and A as a previous OU;
// the reconcile's snapshots move every group into B (same objectGUID and objectSid, members kept, nothing
// deleted or created again), and a group deleted in the cloud while it still sits in A is deleted there.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { localRelayConfig } from '../../dev/stack/relay-config.js';
import { applyDelete } from '../../relay/apply/apply-delete.js';
import { RefusedError } from '../../relay/ldap/errors.js';
import { readMembers } from '../../relay/ldap/ranged-members.js';
import { startRelay, type RunningRelay } from '../../relay/main.js';
import { resultMessageSchema, type ResultMessage } from '../../shared/contracts/result-message.js';
import { writebackMessageId, type WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { silentLogger } from '../../shared/logging.js';
import type { QueueClient } from '../../shared/ports/queue.js';
import { createUser, readObject, uniqueSuffix, type AdObject } from '../support/ad.js';
import {
  BIND_PASSWORD_ENV,
  deleteMessage,
  newGroupId,
  relayFixture,
  sidRef,
  snapshotMessages,
  upsertMessage,
  type RelayFixture,
} from '../support/relay-fixture.js';

const WRITEBACK = 'writeback';
const RESULTS = 'writeback-results';

let fx: RelayFixture;
let ouA: string;
let ouB: string;
let people: AdObject[];
const running: RunningRelay[] = [];

beforeAll(async () => {
  fx = await relayFixture('relay-ou-change');
  ouA = fx.writebackOu;
  ouB = `OU=Writeback B,${fx.ouDn}`;
  await fx.admin.add(ouB, { objectClass: ['top', 'organizationalUnit'] });
  await fx.delegate(ouB);
  const usersOu = `OU=People,${fx.ouDn}`;
  await fx.admin.add(usersOu, { objectClass: ['top', 'organizationalUnit'] });
  people = [];
  for (let i = 0; i < 3; i += 1) people.push(await createUser(fx.admin, usersOu, `oc${uniqueSuffix()}`));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await fx?.close();
});

async function start(queue: QueueClient, ous: { writebackOu: string; previousWritebackOus?: string[] }): Promise<RunningRelay> {
  const config = localRelayConfig('relay-ou-change', { dc: fx.dc, bindDn: fx.account.bindDn, bindPasswordEnv: BIND_PASSWORD_ENV, ...ous }, {
    sessions: { concurrency: 2, receiveWaitMs: 100, retryDelayMs: 100, snapshotPartWaitMs: 2_000, lockRenewMs: 5_000 },
    logLevel: 'silent',
  });
  const relay = await startRelay({ config, queue, log: silentLogger(), env: fx.processEnv });
  running.push(relay);
  return relay;
}

async function applyAll(broker: EmbeddedBroker, relay: RunningRelay, messages: WritebackMessage[]): Promise<ResultMessage[]> {
  const queue = broker.client();
  await queue.sender(WRITEBACK).send(messages.map((m) => ({ messageId: writebackMessageId(m.groupId, m.seq), sessionId: m.groupId, body: m })));
  expect(await broker.whenIdle(WRITEBACK, 30_000)).toBe(true);
  await relay.idle();
  const receiver = queue.receiver(RESULTS);
  const results: ResultMessage[] = [];
  for (let batch = await receiver.receive(100, 50); batch.length > 0; batch = await receiver.receive(100, 50)) {
    for (const m of batch) {
      results.push(resultMessageSchema.parse(m.body));
      await receiver.complete(m);
    }
  }
  await receiver.close();
  return results;
}

async function groupsIn(ouDn: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(ouDn, { scope: 'sub', filter: '(objectClass=group)', attributes: ['adminDescription'] });
  return searchEntries.map((e) => String(e['adminDescription'])).sort();
}

describe('changing the writeback OU', () => {
  it('moves every written-back group into the new OU, keeping its identity; a group deleted meanwhile is deleted in the old OU', async () => {
    const broker = new EmbeddedBroker({ queues: { [WRITEBACK]: { requiresSession: true }, [RESULTS]: { requiresSession: false } } });
    const [kept1, kept2, gone] = [newGroupId(), newGroupId(), newGroupId()];
    const members = (n: number) => people.slice(0, n).map((p) => sidRef(p.objectSid));

    const relayA = await start(broker.client(), { writebackOu: ouA });
    const first = await applyAll(broker, relayA, [kept1, kept2, gone].map((id, i) => upsertMessage(id, 1, { add: members(i + 1) })));
    expect(first.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
    const before = new Map(first.map((r) => [r.groupId, r.ad!]));
    await relayA.stop();

    // The admin points the relay at OU B and lists OU A as a previous OU, then restarts it.
    const relayB = await start(broker.client(), { writebackOu: ouB, previousWritebackOus: [ouA] });
    // A reconcile sends every written-back group's snapshot; one group was deleted in the cloud meanwhile.
    const second = await applyAll(broker, relayB, [
      ...snapshotMessages(kept1, 2, members(1)),
      ...snapshotMessages(kept2, 2, members(2)),
      deleteMessage(gone, 2),
    ]);
    expect(second.map((r) => [r.groupId, r.outcome, r.error])).toEqual(
      expect.arrayContaining([
        [kept1, 'applied', null],
        [kept2, 'applied', null],
        [gone, 'applied', null],
      ]),
    );
    for (const [id, n] of [[kept1, 1], [kept2, 2]] as const) {
      const result = second.find((r) => r.groupId === id)!;
      const was = before.get(id)!;
      expect(result.ad?.dn).toBe(was.dn.replace(ouA, ouB));
      expect(result.ad).toMatchObject({ objectGUID: was.objectGUID, objectSid: was.objectSid });
      expect((await readObject(fx.admin, `<GUID=${was.objectGUID}>`)).dn).toBe(result.ad?.dn);
      expect((await readMembers(fx.directory, result.ad!.dn)).map((m) => m.sid).sort()).toEqual(people.slice(0, n).map((p) => p.objectSid).sort());
      expect(result).toMatchObject({ membersAdded: 0, membersRemoved: 0 });
    }
    expect(await groupsIn(ouA)).toEqual([]);
    expect(await groupsIn(ouB)).toEqual([`Group_${kept1}`, `Group_${kept2}`].sort());
  });

  it('without the old OU listed as previous, a delete of a group still there is refused and the group stays', async () => {
    const broker = new EmbeddedBroker({ queues: { [WRITEBACK]: { requiresSession: true }, [RESULTS]: { requiresSession: false } } });
    const groupId = newGroupId();
    const relayA = await start(broker.client(), { writebackOu: ouA });
    const [created] = await applyAll(broker, relayA, [upsertMessage(groupId, 1)]);
    await relayA.stop();

    const env = fx.env({ ctx: { ...fx.ctx, writebackOu: ouB, previousWritebackOus: [] } });
    const error = await applyDelete(env, deleteMessage(groupId, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).code).toBe('OutsideWritebackOu');
    expect((await readObject(fx.admin, created!.ad!.dn)).objectGUID).toBe(created!.ad!.objectGUID);
  });
});
