// Device members (shared/domain/members.ts): written only with device writeback, found in AD by deviceId.
import { describe, expect, it } from 'vitest';
import { resolveMember } from '../../../shared/domain/members.js';
import { device, gid, settings } from './fixtures.js';

const dev = gid(0xd1, 'e0000001');
const noNesting = (): boolean => false;

describe('device members', () => {
  it('are skipped with a reason while device writeback is off', () => {
    expect(resolveMember(dev, device(dev), noNesting, settings())).toEqual({ cloudId: dev, ref: null, skip: 'deviceWritebackDisabled' });
  });

  it('are referenced by deviceId with device writeback on', () => {
    const entry = resolveMember(dev, device(dev), noNesting, settings({ deviceWriteback: true }));
    expect(entry).toEqual({ cloudId: dev, ref: { kind: 'device', cloudId: dev, deviceId: device(dev).deviceId }, skip: null });
  });

  it('are skipped when Graph reports no usable deviceId', () => {
    for (const deviceId of [null, 'not-a-guid']) {
      const entry = resolveMember(dev, { ...device(dev), deviceId }, noNesting, settings({ deviceWriteback: true }));
      expect(entry).toEqual({ cloudId: dev, ref: null, skip: 'deviceWithoutDeviceId' });
    }
  });
});
