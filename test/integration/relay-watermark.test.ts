// The applied watermark against the real Samba DC: the seq of the newest change set applied is kept on the
// AD group (msDS-AzApplicationData), written with the header; an older change set (a dead-letter resubmit
// under a new messageId) is skipped as StaleChangeSet and leaves AD untouched, also as snapshot parts and
// deletes, and its result does not overwrite the newer status; the exact applied seq is applied again
// (idempotent); a relay that loses the race to another relay's newer write changes nothing.
import type { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { applySnapshot } from '../support/apply-snapshot.js';
import { applyUpsert } from '../../relay/apply/apply-upsert.js';
import { WATERMARK_ATTRIBUTE, watermarkValue } from '../../relay/apply/watermark.js';
import { Directory } from '../../relay/ldap/directory.js';
import { readMembers } from '../../relay/ldap/ranged-members.js';
import { startRelay, type RunningRelay } from '../../relay/main.js';
import { mergeStatus } from '../../shared/app/status/group-status.js';
import { resultMessageSchema, type ResultMessage } from '../../shared/contracts/result-message.js';
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { silentLogger } from '../../shared/logging.js';
import type { QueueClient } from '../../shared/ports/queue.js';
import type { GroupStatus } from '../../shared/state/group-status-record.js';
import { Attribute, Change } from 'ldapts';
import { createUser, uniqueSuffix, type AdObject } from '../support/ad.js';
import {
  deleteMessage,
  headerFor,
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
let usersOu: string;
const running: RunningRelay[] = [];

beforeAll(async () => {
  fx = await relayFixture('relay-watermark');
  usersOu = `OU=People,${fx.ouDn}`;
  await fx.admin.add(usersOu, { objectClass: ['top', 'organizationalUnit'] });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await fx?.close();
});

async function users(n: number): Promise<AdObject[]> {
  const created: AdObject[] = [];
  for (let i = 0; i < n; i += 1) created.push(await createUser(fx.admin, usersOu, `w${uniqueSuffix()}`));
  return created;
}

/** The group as the tests compare it: name, description, member SIDs, watermark. */
async function snapshotOf(groupId: string): Promise<{ dn: string; description: unknown; members: string[]; watermark: unknown }> {
  const { searchEntries } = await fx.admin.search(fx.ouDn, {
    scope: 'sub',
    filter: `(adminDescription=Group_${groupId})`,
    attributes: ['description', WATERMARK_ATTRIBUTE],
  });
  expect(searchEntries).toHaveLength(1);
  const entry = searchEntries[0]!;
  const members = (await readMembers(fx.directory, entry.dn)).map((m) => m.sid ?? m.guid).sort();
  return { dn: entry.dn, description: entry['description'], members, watermark: entry[WATERMARK_ATTRIBUTE] };
}

describe('applied watermark', () => {
  it('is written with the header; an older upsert is skipped as stale, the applied seq is applied again', async () => {
    const groupId = newGroupId();
    const [a, b] = await users(2);
    const older = upsertMessage(groupId, 100, { header: headerFor(groupId, { description: 'old' }), add: [sidRef(a!.objectSid)] });
    expect((await applyUpsert(fx.env(), older)).outcome).toBe('applied');
    expect((await snapshotOf(groupId)).watermark).toBe(watermarkValue(100));

    const newer = upsertMessage(groupId, 200, {
      header: headerFor(groupId, { cn: `Renamed_${groupId.slice(-12)}`, description: 'new' }),
      add: [sidRef(b!.objectSid)],
      remove: [sidRef(a!.objectSid)],
    });
    await applyUpsert(fx.env(), newer);
    const after = await snapshotOf(groupId);
    expect(after).toMatchObject({ description: 'new', members: [b!.objectSid], watermark: watermarkValue(200) });

    const stale = await applyUpsert(fx.env(), older);
    expect(stale).toMatchObject({ outcome: 'skipped', membersAdded: 0, error: { code: 'StaleChangeSet' } });
    expect(stale.error!.message).toMatch(/seq 100 is older than seq 200/);
    expect(await snapshotOf(groupId)).toEqual(after);

    // A redelivery of the applied seq (the relay stopped before completing it) is applied again, idempotently.
    const again = await applyUpsert(fx.env(), newer);
    expect(again).toMatchObject({ outcome: 'applied', error: null });
    expect(await snapshotOf(groupId)).toEqual(after);
  });

  it('a snapshot counts as its last part: written when applied, older snapshot parts are all skipped', async () => {
    const groupId = newGroupId();
    const people = await users(3);
    const current = snapshotMessages(groupId, 300, people.slice(0, 2).map((u) => sidRef(u.objectSid)), { parts: 2 });
    await applySnapshot(fx.env(), current, true);
    const after = await snapshotOf(groupId);
    expect(after).toMatchObject({ members: people.slice(0, 2).map((u) => u.objectSid).sort(), watermark: watermarkValue(301) });

    const old = snapshotMessages(groupId, 150, [sidRef(people[2]!.objectSid)], { parts: 2, header: headerFor(groupId, { description: 'old' }) });
    const { results } = await applySnapshot(fx.env(), old, true);
    expect(results.map((r) => [r.outcome, r.error?.code])).toEqual([
      ['skipped', 'StaleChangeSet'],
      ['skipped', 'StaleChangeSet'],
    ]);
    expect(await snapshotOf(groupId)).toEqual(after);
  });

  it('a relay that lost the race to a newer write (another relay) changes nothing', async () => {
    const groupId = newGroupId();
    await applyUpsert(fx.env(), upsertMessage(groupId, 10));
    const before = await snapshotOf(groupId);
    // Between this relay's read and its guarded write, another relay applies seq 20.
    const racing = racingDirectory(async (dn) => {
      await fx.admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: WATERMARK_ATTRIBUTE, values: [watermarkValue(20)] }) }));
    });
    try {
      const result = await applyUpsert(fx.env({ directory: racing }), upsertMessage(groupId, 15, { header: headerFor(groupId, { description: 'lost the race' }) }));
      expect(result).toMatchObject({ outcome: 'skipped', error: { code: 'StaleChangeSet' } });
    } finally {
      await racing.close();
    }
    expect(await snapshotOf(groupId)).toEqual({ ...before, watermark: watermarkValue(20) });
  });

  it('through the relay: a resubmitted old change set (new messageId) is completed as stale, AD and the status stay as they are', async () => {
    // Results without duplicate detection, as after its window: a stale result has its original's messageId
    // (`result:<groupId>:<seq>`), so inside the window Service Bus drops it anyway.
    const broker = new EmbeddedBroker({
      queues: { [WRITEBACK]: { requiresSession: true }, [RESULTS]: { requiresSession: false, requiresDuplicateDetection: false } },
    });
    const queue = broker.client();
    const relay = await startRelay({ config: fx.config(), queue, log: silentLogger(), env: fx.processEnv });
    running.push(relay);
    const groupId = newGroupId();
    const [a, b] = await users(2);
    const first = upsertMessage(groupId, 1, { header: headerFor(groupId, { description: 'old name' }), add: [sidRef(a!.objectSid)] });
    const second = upsertMessage(groupId, 2, { header: headerFor(groupId, { description: 'new name' }), add: [sidRef(b!.objectSid)], remove: [sidRef(a!.objectSid)] });
    await send(queue, [first, second]);
    await drained(broker, relay);
    const after = await snapshotOf(groupId);

    // An admin resubmits the old message from the dead-letter queue: a new messageId, the old body.
    await send(queue, [first], ':resubmitted');
    await send(queue, [deleteMessage(groupId, 1)], ':old-delete');
    await drained(broker, relay);
    expect(await snapshotOf(groupId)).toEqual(after);
    expect(await queue.peekDeadLetters(WRITEBACK, 10)).toEqual([]);
    const results = await takeResults(queue);
    expect(results.map((r) => [r.seq, r.kind, r.outcome, r.error?.code ?? null])).toEqual([
      [1, 'upsert', 'applied', null],
      [2, 'upsert', 'applied', null],
      [1, 'upsert', 'skipped', 'StaleChangeSet'],
      [1, 'delete', 'skipped', 'StaleChangeSet'],
    ]);
    // The group status keeps the newer outcome: results older than the last recorded one are ignored.
    let status: GroupStatus | null = null;
    for (const result of results) status = mergeStatus(status, { kind: 'result', result, at: result.at });
    expect(status).toMatchObject({ state: 'written', lastResultSeq: 2, error: null });
  });
});

async function send(queue: QueueClient, messages: WritebackMessage[], idSuffix = ''): Promise<void> {
  await queue.sender(WRITEBACK).send(messages.map((m) => ({ messageId: `${m.groupId}:${m.seq}${idSuffix}`, sessionId: m.groupId, body: m })));
}

async function drained(broker: EmbeddedBroker, relay: RunningRelay): Promise<void> {
  expect(await broker.whenIdle(WRITEBACK, 30_000)).toBe(true);
  await relay.idle();
}

async function takeResults(queue: QueueClient): Promise<ResultMessage[]> {
  const receiver = queue.receiver(RESULTS);
  const results: ResultMessage[] = [];
  for (;;) {
    const batch = await receiver.receive(100, 50);
    if (batch.length === 0) break;
    for (const m of batch) {
      results.push(resultMessageSchema.parse(m.body));
      await receiver.complete(m);
    }
  }
  await receiver.close();
  return results;
}

/** A Directory whose first watermark-guarded modify is preceded by `meanwhile(dn)` (another relay's write). */
function racingDirectory(meanwhile: (dn: string) => Promise<void>): Directory {
  let raced = false;
  const directory = new Directory({
    urls: [fx.dc.url],
    tlsServerName: fx.dc.tlsServerName,
    caPem: fx.dc.caPem,
    bindDn: fx.account.bindDn,
    password: fx.account.password,
    timeoutMs: 30_000,
    idleReconnectMs: 600_000,
    log: silentLogger(),
  });
  const use = directory.use.bind(directory);
  directory.use = <T>(fn: (client: Client) => Promise<T>, opts?: { retry?: boolean }): Promise<T> =>
    use((client) => {
      const modify: Client['modify'] = async (dn, changes, controls) => {
        const guarded = [changes].flat().some((c) => c.modification.type === WATERMARK_ATTRIBUTE);
        if (guarded && !raced) {
          raced = true;
          await meanwhile(String(dn));
        }
        return client.modify(dn, changes, controls);
      };
      return fn(Object.assign(Object.create(client) as Client, { modify }));
    }, opts);
  return directory;
}
