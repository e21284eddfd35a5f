import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../dev/scenario/validate.js';

const U1 = '11111111-1111-4111-8111-111111111111';
const G1 = '22222222-2222-4222-8222-222222222222';

function scenario(steps: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: 't', ad: { users: [{ sam: 'alice' }] }, steps, ...extra });
}

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario validation', () => {
  it('accepts a valid scenario and fills default settings', () => {
    const s = parseScenario(
      scenario([
        { op: 'createUser', id: U1, displayName: 'Alice', syncedFrom: 'alice' },
        { op: 'createGroup', id: G1, kind: 'm365', displayName: 'Sales', members: [U1] },
        { op: 'setSettings', settings: { cnFormat: 'displayName' } },
        { op: 'checkpoint', name: 'after' },
      ]),
    );
    expect(s.steps).toHaveLength(4);
    expect(s.settings).toEqual({
      groupWritebackV2: true,
      writebackEnabled: true,
      cnFormat: 'objectId',
      newUnifiedGroupWritebackDefault: true,
      deviceWriteback: false,
      exchangeSchema: false,
      deletionThreshold: 500,
      memberRemovalThreshold: 5000,
      safetyNetSeconds: 300,
    });
  });

  it('v2: faults, admin actions, wait and settle: false; a timed or counted Graph fault, not both', () => {
    const s = parseScenario(
      scenario([
        { op: 'createGroup', id: G1, kind: 'm365', displayName: 'Sales', settle: false },
        { op: 'fault', target: 'dc', state: 'down' },
        { op: 'graphFault', status: 503, seconds: 2, match: '/groups' },
        { op: 'dropNotifications', count: 2 },
        { op: 'relayCrash' },
        { op: 'loseState' },
        { op: 'fault', target: 'dc', state: 'up' },
        { op: 'approveDeletions', groupIds: [G1] },
        { op: 'replay', groupId: G1, seq: 1 },
        { op: 'wait', seconds: 1 },
      ]),
    );
    expect(s.steps.map((st) => st.op)).toEqual(['createGroup', 'fault', 'graphFault', 'dropNotifications', 'relayCrash', 'loseState', 'fault', 'approveDeletions', 'replay', 'wait']);
    expect(errorOf(scenario([{ op: 'graphFault', status: 500, seconds: 2, times: 1, match: '/' }])).message).toMatch(/step 1: .*exactly one of times and seconds/);
    expect(errorOf(scenario([{ op: 'replay', groupId: G1, seq: 1 }])).message).toMatch(/step 1: group .* does not exist/);
  });

  it('takes groups written by AD Connect; checks their members, sams and ids', () => {
    const aadc = (groups: unknown[], users = [{ sam: 'ann' }]): string => JSON.stringify({ name: 'x', ad: { users, writtenByAadc: groups }, steps: [] });
    const g = { groupId: G1, cn: `Group_${G1}`, sam: 'Sales-AADC', type: 'distribution', members: ['ann'] };
    expect(parseScenario(aadc([g])).ad.writtenByAadc).toEqual([g]);
    expect(errorOf(aadc([{ ...g, members: ['nobody'] }])).message).toMatch(/member nobody of Sales-AADC is not in ad.users/);
    expect(errorOf(aadc([g, { ...g, groupId: U1 }])).message).toMatch(/sam Sales-AADC is used twice/);
    expect(errorOf(aadc([{ ...g, sam: 'ann' }])).message).toMatch(/sam ann is used twice/);
    expect(errorOf(aadc([g, { ...g, sam: 'Other' }])).message).toMatch(/group .* listed twice/);
    expect(errorOf(aadc([{ ...g, type: 'global' }])).message).toMatch(/type/);
    expect(errorOf(scenario([{ op: 'checkpoint', name: 'writtenByAadc' }])).message).toMatch(/step 1: .*dump of ad.writtenByAadc/);
  });

  it('names the step of an unknown op', () => {
    const e = errorOf(scenario([{ op: 'createUser', id: U1, displayName: 'A' }, { op: 'explode' }]));
    expect(e.step).toBe(2);
    expect(e.message).toMatch(/^step 2: /);
  });

  it('rejects unknown keys at the top, in settings and in steps', () => {
    expect(errorOf(scenario([], { colour: 'red' })).message).toMatch(/colour/);
    expect(errorOf(scenario([], { settings: { cnFormat: 'objectId', bogus: 1 } })).message).toMatch(/bogus/);
    const e = errorOf(scenario([{ op: 'createUser', id: U1, displayName: 'A', extra: true }]));
    expect(e.step).toBe(1);
    expect(e.message).toMatch(/extra/);
  });

  it('rejects references to ids that do not exist (yet)', () => {
    const e = errorOf(scenario([{ op: 'createGroup', id: G1, kind: 'security', displayName: 'S', members: [U1] }]));
    expect(e.step).toBe(1);
    expect(e.message).toMatch(/member .* does not exist/);
    expect(errorOf(scenario([{ op: 'deleteGroup', id: G1 }])).step).toBe(1);
    expect(errorOf(scenario([{ op: 'createUser', id: U1, displayName: 'A', syncedFrom: 'bob' }])).message).toMatch(/bob/);
  });

  it('rejects a user used as a group and a duplicate id', () => {
    const steps = [
      { op: 'createUser', id: U1, displayName: 'A' },
      { op: 'addMembers', id: U1, members: [U1] },
    ];
    expect(errorOf(scenario(steps)).message).toMatch(/step 2: group .* is a user/);
    expect(errorOf(scenario([steps[0], steps[0]])).message).toMatch(/step 2: id .* already exists/);
  });

  it('checks adTamper arguments against the on-prem objects', () => {
    const base = [{ op: 'createGroup', id: G1, kind: 'm365', displayName: 'S' }];
    expect(errorOf(scenario([...base, { op: 'adTamper', groupId: G1, action: 'addMember', sam: 'zed' }])).step).toBe(2);
    expect(errorOf(scenario([...base, { op: 'adTamper', groupId: G1, action: 'setDescription' }])).step).toBe(2);
    expect(() => parseScenario(scenario([...base, { op: 'adTamper', groupId: G1, action: 'addMember', sam: 'alice' }]))).not.toThrow();
  });

  it('rejects input that is not JSON', () => {
    expect(errorOf('{ nope').message).toMatch(/not valid JSON/);
  });
});
