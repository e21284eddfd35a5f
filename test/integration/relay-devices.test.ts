// Device members against the real Samba AD DC: the relay finds a device by msDS-DeviceID under
// CN=RegisteredDevices (where device writeback puts it), writes it by DN, removes it again, and reports a
// device AD does not hold as DeviceNotInAd while the other members are written.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberRef } from '../../shared/contracts/writeback-message.js';
import { applyUpsert } from '../../relay/apply/apply-upsert.js';
import { readMembers } from '../../relay/ldap/ranged-members.js';
import { createDevice, createUser, removeDevice, uniqueSuffix } from '../support/ad.js';
import { newGroupId, relayFixture, sidRef, upsertMessage, type RelayFixture } from '../support/relay-fixture.js';

let fx: RelayFixture;
let device: { dn: string; objectGUID: string } | undefined;
const deviceId = randomUUID();

const deviceRef = (id: string, cloudId: string = randomUUID()): MemberRef => ({ kind: 'device', cloudId, deviceId: id });

beforeAll(async () => {
  fx = await relayFixture('relay-devices');
  device = await createDevice(fx.admin, fx.dc.baseDn, deviceId);
});

afterAll(async () => {
  if (device) await removeDevice(fx.admin, device.dn);
  await fx?.close();
});

describe('device members', () => {
  it('adds a device AD holds by its DN and removes it again; a device AD lacks is reported', async () => {
    const groupId = newGroupId();
    const person = await createUser(fx.admin, fx.otherOu, `dv${uniqueSuffix()}`);
    const inAd = deviceRef(deviceId.toUpperCase());
    const missing = deviceRef(randomUUID());
    const added = await applyUpsert(fx.env(), upsertMessage(groupId, 1, { add: [inAd, missing, sidRef(person.objectSid)] }));
    expect(added.outcome).toBe('partial');
    expect(added.memberErrors).toEqual([expect.objectContaining({ member: missing.cloudId, code: 'DeviceNotInAd' })]);
    expect((await readMembers(fx.directory, added.ad!.dn)).map((m) => m.guid).sort()).toEqual([device!.objectGUID, person.objectGUID].sort());

    const removed = await applyUpsert(fx.env(), upsertMessage(groupId, 2, { remove: [inAd, missing] }));
    expect(removed.outcome).toBe('applied');
    expect(removed.memberErrors).toEqual([]);
    expect((await readMembers(fx.directory, added.ad!.dn)).map((m) => m.guid)).toEqual([person.objectGUID]);
  });
});
