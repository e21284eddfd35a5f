// Plays a scenario through the whole local pipeline (see docs/scenarios.md) and produces its dumps.
import { writeFile } from 'node:fs/promises';
import type { Logger } from '../../shared/logging.js';
import { sendPoke } from '../../shared/app/intake/pokes.js';
import { createDevice, createGroup, createUser, removeDevice } from '../stack/ad-objects.js';
import { readWritebackOu } from '../stack/ad-dump.js';
import { SettleTimeoutError, startLocalStack, type LocalStack } from '../stack/local-stack.js';
import { tamper } from './ad-tamper.js';
import { Faults } from './faults.js';
import { sleep } from '../../shared/timers.js';
import { AADC_CHECKPOINT, checkpointPath, type Dump, type DumpStatus } from './dump.js';
import { createAadcGroups } from './aadc-groups.js';
import type { Scenario, ScenarioStep } from './schema.js';

/** A run that has not settled this long after a step is a failure (docs/scenarios.md). */
const SETTLE_TIMEOUT_MS = 180_000;

export interface RunOptions {
  dumpPath?: string;
  keep?: boolean;
  log: Logger;
}

export interface RunResult {
  /** 0 ok, 1 the pipeline reported a failure. */
  exitCode: 0 | 1;
  dump: Dump;
  checkpoints: Map<string, Dump>;
  failures: string[];
  stack: LocalStack | null;
}

interface OnPremObject {
  sid: string;
  sam: string;
  dn: string;
}

async function readStatuses(stack: LocalStack): Promise<DumpStatus[]> {
  const all = await stack.runtime.statuses.list(stack.tenantId);
  return all
    .map((s) => ({
      groupId: s.groupId,
      state: s.state,
      errors: s.memberErrors.map((e) => ({ member: e.member, code: e.code, message: e.message })),
      reason: s.reason,
      cloudOnlyMembers: s.cloudOnlyMembers,
      notes: s.notes,
    }))
    .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

export async function dumpOf(stack: LocalStack): Promise<Dump> {
  return {
    ou: stack.writebackOu,
    groups: await readWritebackOu(stack.ad, stack.writebackOu, [stack.runOu]),
    status: await readStatuses(stack),
  };
}

/** Problems the pipeline reported: dead-lettered messages and groups whose export failed. */
async function pipelineFailures(stack: LocalStack, dump: Dump): Promise<string[]> {
  const failures: string[] = [];
  for (const queue of stack.runtime.broker.queueNames()) {
    const dead = await stack.runtime.queue.peekDeadLetters(queue, 100);
    for (const d of dead) failures.push(`dead-lettered on ${queue}: ${d.messageId}: ${d.deadLetterReason}: ${d.deadLetterDescription}`);
  }
  for (const s of dump.status) if (s.state === 'failed') failures.push(`group ${s.groupId} failed`);
  return failures;
}

function onPremSpec(stack: LocalStack, o: OnPremObject): { securityIdentifier: string; samAccountName: string; domainName: string; distinguishedName: string } {
  return { securityIdentifier: o.sid, samAccountName: o.sam, domainName: stack.dc.netbiosDomain, distinguishedName: o.dn };
}

async function writeCheckpoint(name: string, dump: Dump, checkpoints: Map<string, Dump>, opts: RunOptions): Promise<void> {
  checkpoints.set(name, dump);
  if (opts.dumpPath) await writeFile(checkpointPath(opts.dumpPath, name), `${JSON.stringify(dump, null, 2)}\n`);
}

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<RunResult> {
  const stack = await startLocalStack({ name: 'scenario', log: opts.log, ...(opts.keep ? { keepDc: true } : {}) });
  const checkpoints = new Map<string, Dump>();
  // Devices live outside the run's OU (under CN=RegisteredDevices), so they are removed one by one.
  const devices: string[] = [];
  try {
    for (const d of scenario.ad.devices) devices.push((await createDevice(stack.ad, stack.dc.baseDn, d.deviceId)).dn);
    const onPrem = new Map<string, OnPremObject>();
    for (const u of scenario.ad.users) {
      const o = await createUser(stack.ad, stack.onPremOu, u.sam);
      onPrem.set(u.sam.toLowerCase(), { sid: o.objectSid, sam: u.sam, dn: o.dn });
    }
    for (const g of scenario.ad.groups) {
      const o = await createGroup(stack.ad, stack.onPremOu, g.sam, { scope: g.scope, security: g.security });
      onPrem.set(g.sam.toLowerCase(), { sid: o.objectSid, sam: g.sam, dn: o.dn });
    }
    if (scenario.ad.writtenByAadc.length > 0) {
      const dnOfSam = (sam: string): string => {
        const o = onPrem.get(sam.toLowerCase());
        if (!o) throw new Error(`no on-prem object ${sam}`);
        return o.dn;
      };
      await writeCheckpoint(AADC_CHECKPOINT, await createAadcGroups(stack, scenario.ad.writtenByAadc, dnOfSam), checkpoints, opts);
    }
    await stack.setSettings(scenario.settings);
    await stack.subscribe();
    await stack.settle();

    const faults = new Faults(stack);
    const unsettled: string[] = [];
    let inFlight: string[] = [];
    try {
      for (const [index, step] of scenario.steps.entries()) {
        opts.log.info({ step: index + 1, op: step.op }, 'scenario step');
        await applyStep(stack, step, onPrem, checkpoints, opts, faults);
        // A step may ask not to wait; while a fault is active the pipeline cannot settle, so nothing waits.
        if (step.settle !== false && !faults.active()) await stack.settle(SETTLE_TIMEOUT_MS);
      }
      await faults.liftGraphFaults();
      if (faults.active()) unsettled.push(`the scenario ends with a fault still active: ${faults.describe()}`);
      else await stack.settle(SETTLE_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof SettleTimeoutError)) throw error;
      unsettled.push(error.message);
      inFlight = error.inFlight;
    } finally {
      faults.clearTimers();
    }
    const dump: Dump = { ...(await dumpOf(stack)), ...(inFlight.length > 0 ? { inFlight } : {}) };
    if (opts.dumpPath) await writeFile(opts.dumpPath, `${JSON.stringify(dump, null, 2)}\n`);
    const failures = [...unsettled, ...(await pipelineFailures(stack, dump))];
    return { exitCode: failures.length > 0 ? 1 : 0, dump, checkpoints, failures, stack: opts.keep ? stack : null };
  } finally {
    if (!opts.keep) {
      for (const dn of devices) await removeDevice(stack.ad, dn);
      await stack.stop();
    }
  }
}

async function applyStep(
  stack: LocalStack,
  step: ScenarioStep,
  onPrem: Map<string, OnPremObject>,
  checkpoints: Map<string, Dump>,
  opts: RunOptions,
  faults: Faults,
): Promise<void> {
  const c = stack.sim.control;
  const synced = (sam: string | undefined): { synced?: ReturnType<typeof onPremSpec> } => {
    if (sam === undefined) return {};
    const o = onPrem.get(sam.toLowerCase());
    if (!o) throw new Error(`no on-prem object ${sam}`);
    return { synced: onPremSpec(stack, o) };
  };
  switch (step.op) {
    case 'createUser':
      c.createUser({ id: step.id, displayName: step.displayName, ...synced(step.syncedFrom) });
      return;
    case 'createDevice':
      c.createDevice({ id: step.id, deviceId: step.deviceId, displayName: step.displayName });
      return;
    case 'createGroup':
      c.createGroup({
        id: step.id,
        displayName: step.displayName,
        kind: step.kind,
        ...(step.description !== undefined ? { description: step.description } : {}),
        ...(step.mailNickname !== undefined ? { mailNickname: step.mailNickname } : {}),
        ...(step.writeback ? { writebackConfiguration: step.writeback } : {}),
        ...synced(step.syncedFrom),
        ...(step.members ? { members: step.members } : {}),
      });
      return;
    case 'updateGroup': {
      const properties: Record<string, unknown> = {};
      if (step.displayName !== undefined) properties['displayName'] = step.displayName;
      if (step.description !== undefined) properties['description'] = step.description;
      c.updateGroup(step.id, { properties, ...(step.writeback ? { writebackConfiguration: step.writeback } : {}) });
      return;
    }
    case 'addMembers':
      c.addMembers(step.id, step.members);
      return;
    case 'removeMembers':
      c.removeMembers(step.id, step.members);
      return;
    case 'deleteGroup':
      c.deleteGroup(step.id, { permanent: step.permanent ?? false });
      return;
    case 'restoreGroup':
      c.restore(step.id);
      return;
    case 'deleteUser':
      c.deleteUser(step.id);
      if (step.permanent) c.purge(step.id);
      return;
    case 'setSettings':
      // A changed setting queues a full round: groups that did not change in the cloud are evaluated again.
      await stack.setSettings(step.settings);
      return;
    case 'adTamper':
      await tamper(stack.ad, stack.dc.baseDn, step);
      return;
    case 'reconcile':
      await sendPoke(stack.runtime.sender(stack.runtime.config.GRAPH_CHANGES_QUEUE), stack.tenantId, 'reconcile', new Date());
      return;
    case 'fault':
      await faults.set(step.target, step.state);
      return;
    case 'graphFault':
      faults.graph(step);
      return;
    case 'dropNotifications':
      c.dropNotifications(step.count);
      return;
    case 'relayCrash':
      await stack.relay.crash();
      return;
    case 'loseState':
      await stack.loseState();
      return;
    case 'approveDeletions':
      for (const groupId of step.groupIds) await stack.approveHeld(groupId);
      return;
    case 'replay':
      await stack.replay(step.groupId, step.seq);
      return;
    case 'wait':
      await sleep(step.seconds * 1000);
      return;
    case 'checkpoint':
      await writeCheckpoint(step.name, await dumpOf(stack), checkpoints, opts);
      return;
  }
}
