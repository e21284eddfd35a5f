// Parses and checks a scenario: shape (strict), then references (every id a step uses exists by then, every
// sam exists in `ad`). Errors name the step (1-based) so an author can find it.
import type { z } from 'zod';
import { normaliseId } from '../../shared/domain/ids.js';
import { AADC_CHECKPOINT } from './dump.js';
import { DEFAULT_SETTINGS, scenarioSchema, stepSchema, type Scenario, type ScenarioStep } from './schema.js';

export class ScenarioError extends Error {
  constructor(message: string, readonly step?: number) {
    super(step === undefined ? message : `step ${step}: ${message}`);
    this.name = 'ScenarioError';
  }
}

function describe(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}

export function parseScenario(text: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`not valid JSON: ${(e as Error).message}`);
  }
  const top = scenarioSchema.safeParse(raw);
  if (!top.success) throw new ScenarioError(describe(top.error));
  const steps: ScenarioStep[] = top.data.steps.map((s, i) => {
    const r = stepSchema.safeParse(s);
    if (!r.success) throw new ScenarioError(describe(r.error), i + 1);
    return r.data;
  });
  const scenario: Scenario = {
    name: top.data.name,
    settings: { ...DEFAULT_SETTINGS, ...top.data.settings },
    ad: {
      users: top.data.ad?.users ?? [],
      groups: top.data.ad?.groups ?? [],
      devices: top.data.ad?.devices ?? [],
      writtenByAadc: top.data.ad?.writtenByAadc ?? [],
    },
    steps,
  };
  checkReferences(scenario);
  return scenario;
}

type Kind = 'user' | 'group' | 'device';

/** AD Connect's groups: one per cloud group, unique sAMAccountNames, members among the on-prem objects. */
function checkWrittenByAadc(s: Scenario, adSams: ReadonlySet<string>): void {
  const ids = new Set<string>();
  const sams = new Set(adSams);
  for (const g of s.ad.writtenByAadc) {
    if (ids.has(normaliseId(g.groupId))) throw new ScenarioError(`ad.writtenByAadc: group ${g.groupId} listed twice`);
    if (sams.has(g.sam.toLowerCase())) throw new ScenarioError(`ad.writtenByAadc: sam ${g.sam} is used twice`);
    ids.add(normaliseId(g.groupId));
    sams.add(g.sam.toLowerCase());
    for (const m of g.members ?? [])
      if (!adSams.has(m.toLowerCase())) throw new ScenarioError(`ad.writtenByAadc: member ${m} of ${g.sam} is not in ad.users or ad.groups`);
  }
}

function checkReferences(s: Scenario): void {
  const adSams = new Set([...s.ad.users.map((u) => u.sam.toLowerCase()), ...s.ad.groups.map((g) => g.sam.toLowerCase())]);
  const adGroupSams = new Set(s.ad.groups.map((g) => g.sam.toLowerCase()));
  const objects = new Map<string, Kind>();
  const checkpoints = new Set<string>();
  checkWrittenByAadc(s, adSams);
  const need = (id: string, step: number, kinds: Kind[], what: string): void => {
    const kind = objects.get(normaliseId(id));
    if (!kind) throw new ScenarioError(`${what} ${id} does not exist`, step);
    if (!kinds.includes(kind)) throw new ScenarioError(`${what} ${id} is a ${kind}, expected ${kinds.join(' or ')}`, step);
  };
  const create = (id: string, kind: Kind, step: number): void => {
    if (objects.has(normaliseId(id))) throw new ScenarioError(`id ${id} already exists`, step);
    objects.set(normaliseId(id), kind);
  };
  s.steps.forEach((st, i) => {
    const n = i + 1;
    switch (st.op) {
      case 'createUser':
        if (st.syncedFrom !== undefined && !s.ad.users.some((u) => u.sam.toLowerCase() === st.syncedFrom!.toLowerCase()))
          throw new ScenarioError(`syncedFrom ${st.syncedFrom} is not an ad.users entry`, n);
        create(st.id, 'user', n);
        break;
      case 'createDevice':
        create(st.id, 'device', n);
        break;
      case 'createGroup':
        if (st.syncedFrom !== undefined && !adGroupSams.has(st.syncedFrom.toLowerCase()))
          throw new ScenarioError(`syncedFrom ${st.syncedFrom} is not an ad.groups entry`, n);
        for (const m of st.members ?? []) need(m, n, ['user', 'group', 'device'], 'member');
        create(st.id, 'group', n);
        break;
      case 'updateGroup':
      case 'deleteGroup':
      case 'restoreGroup':
        need(st.id, n, ['group'], 'group');
        break;
      case 'addMembers':
      case 'removeMembers':
        need(st.id, n, ['group'], 'group');
        for (const m of st.members) need(m, n, ['user', 'group', 'device'], 'member');
        break;
      case 'deleteUser':
        need(st.id, n, ['user'], 'user');
        break;
      case 'adTamper':
        need(st.groupId, n, ['group'], 'group');
        if (st.action === 'setDescription' && st.value === undefined) throw new ScenarioError('setDescription needs "value"', n);
        if (st.action === 'addMember' || st.action === 'removeMember') {
          if (st.sam === undefined) throw new ScenarioError(`${st.action} needs "sam"`, n);
          if (!adSams.has(st.sam.toLowerCase())) throw new ScenarioError(`sam ${st.sam} is not in ad.users or ad.groups`, n);
        }
        break;
      case 'checkpoint':
        if (st.name === AADC_CHECKPOINT) throw new ScenarioError(`checkpoint name ${st.name} is the dump of ad.writtenByAadc`, n);
        if (checkpoints.has(st.name)) throw new ScenarioError(`checkpoint name ${st.name} used twice`, n);
        checkpoints.add(st.name);
        break;
      case 'approveDeletions':
        for (const g of st.groupIds) need(g, n, ['group'], 'group');
        break;
      case 'replay':
        need(st.groupId, n, ['group'], 'group');
        break;
      case 'setSettings':
      case 'reconcile':
      case 'fault':
      case 'graphFault':
      case 'dropNotifications':
      case 'relayCrash':
      case 'loseState':
      case 'wait':
        break;
    }
  });
}
