// gwb, the real binary (a child process, as an admin runs it), against the local Functions host signed in
// with tokens the Graph simulator mints: help and usage, sign-in refusals, status, held and approve, resync,
// and `writeback` against the simulator's Graph (PATCH /beta/groups/{id}, a notification follows).
// The routes other parts of the admin API add are covered against a fake API in test/unit/cli/.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands/index.js';
import { adminSignInLines } from '../../dev/host/admin-sign-in.js';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import type { HeldChange } from '../../shared/domain/deletion-guard.js';
import { silentLogger } from '../../shared/logging.js';
import { emptyStatus, type GroupStatus } from '../../shared/state/group-status-record.js';

const root = join(import.meta.dirname, '..', '..');
const written = '0bc7e5a1-1111-4c44-8d55-66778899aabb';
const failed = '0bc7e5a1-2222-4c44-8d55-66778899aabb';
const heldId = '0bc7e5a1-3333-4c44-8d55-66778899aabb';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `gwb args` with only the given environment (and PATH, so no Azure CLI is found). */
function gwb(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'cli', 'main.ts'), ...args],
      { cwd: root, env: { PATH: '/usr/bin:/bin', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

let stack: FunctionsStack;
let admin: Record<string, string>;

async function pokes(): Promise<PokeMessage[]> {
  const out: PokeMessage[] = [];
  const session = await stack.runtime.queue.acceptNextSession(stack.runtime.config.GRAPH_CHANGES_QUEUE, 10);
  if (session === null) return out;
  for (let m = (await session.receive(1, 10))[0]; m !== undefined; m = (await session.receive(1, 10))[0]) {
    out.push(pokeMessageSchema.parse(m.body));
    await session.complete(m);
  }
  await session.close();
  return out;
}

function status(groupId: string, patch: Partial<GroupStatus>): GroupStatus {
  return { ...emptyStatus(stack.sim.tenantId, groupId, '2026-12-01T10:00:00.000Z'), ...patch };
}

const held = (): HeldChange => ({
  groupId: heldId,
  kind: 'deletion',
  deletions: 1,
  memberRemovals: 0,
  reason: 'deletion held: 20 group deletion(s) in the last 24 h',
  lifecycle: 'hardDeleted',
  afterSeq: 3,
  heldAt: '2026-12-01T10:00:00.000Z',
  approvedAt: null,
  fingerprint: 'f1',
  rejectedAt: null,
  rejectedBy: null,
});

beforeAll(async () => {
  stack = await startFunctionsStack({ log: silentLogger(), host: { timers: false, queues: false } });
  admin = { GWB_URL: stack.host.url, GWB_TOKEN: stack.sim.entra.mintToken({ roles: ['Writeback.Admin'] }) };
  const tenantId = stack.sim.tenantId;
  await stack.runtime.statuses.write(status(written, { state: 'written', outcome: 'applied', resultAt: '2026-12-01T10:00:05.000Z' }), null);
  await stack.runtime.statuses.write(status(failed, { state: 'failed', reason: 'WritebackOuMissing: the writeback OU does not exist', outcome: 'failed' }), null);
  expect(await stack.runtime.planner.held.save(tenantId, held(), null)).toBe(true);
});

afterAll(async () => {
  await stack.close();
});

beforeEach(async () => {
  await pokes();
});

describe('gwb: help and usage', () => {
  it('gwb --help lists every command; each command --help prints its usage with an example and exits 0', async () => {
    const top = await gwb(['--help'], {});
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/^usage: gwb /);
    for (const c of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    const each = await Promise.all(COMMANDS.map(async (c) => ({ name: c.name, run: await gwb([c.name, '--help'], {}) })));
    for (const { name, run } of each) {
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^usage: gwb ${name}`));
      expect(run.stdout).toMatch(new RegExp(`^examples?:\\n  gwb ${name}`, 'm'));
      expect(run.stderr).toBe('');
    }
  });

  it('a usage problem names itself, prints the usage and exits 2, with no stack trace', async () => {
    const runs = await Promise.all([
      gwb(['status', '--state', 'nope'], admin),
      gwb(['frobnicate'], admin),
      gwb(['approve'], admin),
      gwb([], admin),
      gwb(['sync', 'Sales', '--wait', '500'], admin),
      gwb(['status'], { GWB_TOKEN: 'x' }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
      '--state must be one of written, partial, pending, held, failed, softDeleted, skipped, deleted',
      "unknown command 'frobnicate'",
      'approve: an argument is missing',
      'a command is required',
      '--wait must be a whole number from 0 to 120',
      'the admin API is not named: give --url or set GWB_URL (the Function App, https://<app>.azurewebsites.net)',
    ]);
    for (const r of runs) {
      expect(r.stderr).toMatch(/^usage: gwb /m);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
    }
  });
});

describe('gwb: sign-in', () => {
  it('without a token, the Azure CLI missing and no terminal: exit 1 saying how to sign in', async () => {
    const r = await gwb(['status'], { GWB_URL: stack.host.url, GWB_AUDIENCE: 'api://group-writeback-admin-local' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gwb: not signed in to the admin API: the Azure CLI gave no token \(.+\) and a device-code sign-in needs a terminal; run `az login` or set GWB_TOKEN\n$/);
  });

  it('an invalid, an expired or another tenant\'s token: exit 1, the API refused the sign-in (401)', async () => {
    const tokens = [
      'not-a-token',
      stack.sim.entra.mintToken({ roles: ['Writeback.Admin'], expiresInSeconds: -600 }),
      stack.sim.entra.mintToken({ roles: ['Writeback.Admin'], foreignKey: true }),
    ];
    const runs = await Promise.all(tokens.map((t) => gwb(['status'], { GWB_URL: stack.host.url, GWB_TOKEN: t })));
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('gwb: the admin API refused the sign-in (401: the token is not valid for the admin API); sign in again (az login), or check GWB_TOKEN and --audience\n');
    }
  });

  it('a reader may look but not approve: exit 1 naming the role (403)', async () => {
    const reader = { GWB_URL: stack.host.url, GWB_TOKEN: stack.sim.entra.mintToken({ roles: ['Writeback.Read'] }) };
    expect((await gwb(['held'], reader)).code).toBe(1); // something waits for approval: found, not refused
    const r = await gwb(['approve', heldId], reader);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gwb: not allowed \(403: the app role Writeback.Admin is required\)/);
    expect((await stack.runtime.planner.held.get(stack.sim.tenantId, heldId))?.held.approvedAt).toBeNull();
  });
});

describe('gwb: what npm run host prints', () => {
  it('the export lines point gwb at the host and its Graph, signed in as Writeback.Admin', async () => {
    const lines = await adminSignInLines(stack.sim, stack.host.url);
    const env = Object.fromEntries(
      lines.filter((l) => l.trim().startsWith('export ')).flatMap((l) => l.trim().slice('export '.length).split(' ').map((kv) => kv.split('=') as [string, string])),
    );
    expect(Object.keys(env).sort()).toEqual(['GWB_GRAPH_TOKEN', 'GWB_GRAPH_URL', 'GWB_TOKEN', 'GWB_URL', 'NODE_EXTRA_CA_CERTS']);
    const group = stack.sim.control.createGroup({ displayName: 'Host Lines', kind: 'security' });
    const [status, writeback] = await Promise.all([gwb(['status', '--state', 'written'], env), gwb(['writeback', 'Host Lines', '--enable'], env)]);
    expect(status.code, status.stderr).toBe(0);
    expect(writeback.code, writeback.stderr).toBe(0);
    expect(writeback.stdout).toContain(`Host Lines (${String(group['id'])}): writeback was not set, now on`);
  });
});

describe('gwb: status, held, approve, resync', () => {
  it('status lists the groups and exits 1 while one is failed; --json parses; a state without problems exits 0', async () => {
    const table = await gwb(['status'], admin);
    expect(table.code, table.stderr).toBe(1);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+MEMBERS\s+CLOUD-ONLY\s+ERRORS\s+LAST RESULT\s+GROUP ID\s+REASON$/);
    expect(lines.find((l) => l.includes(failed))).toMatch(/\bfailed\b.*WritebackOuMissing/);
    expect(lines.find((l) => l.includes(written))).toMatch(/\bwritten\b/);
    expect(lines.at(-1)).toMatch(/1 failed: gwb group <name> shows why/);

    const json = await gwb(['status', '--json'], admin);
    expect(json.code).toBe(1);
    const page = JSON.parse(json.stdout) as { count: number; value: { groupId: string; state: string }[] };
    expect(page.value.map((g) => [g.groupId, g.state]).sort()).toEqual([
      [written, 'written'],
      [failed, 'failed'],
    ].sort());

    const ok = await gwb(['status', '--state', 'written'], admin);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(written);
    expect(ok.stdout).not.toContain(failed);
  });

  it('held lists what waits (exit 1); approve releases it and pokes a round; then nothing waits (exit 0)', async () => {
    const before = await gwb(['held'], admin);
    expect(before.code, before.stderr).toBe(1);
    expect(before.stdout).toMatch(new RegExp(`deletion\\s+1\\s+0\\s+2026-12-01 10:00:00Z\\s+-\\s+${heldId}\\s+deletion held: 20 group deletion`));
    expect(before.stdout).toContain('1 held, 1 waiting for approval');
    expect(before.stdout).toContain('released in the last 24 h: 0 of 20 group deletions, 0 of 1,000 member removals');

    const approve = await gwb(['approve', heldId.toUpperCase()], admin);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toBe(`approved: the held deletion of ${heldId} goes out with the next round\nfollow it with: gwb status --search ${heldId}\n`);
    expect((await stack.runtime.planner.held.get(stack.sim.tenantId, heldId))?.held.approvedAt).toEqual(expect.any(String));
    expect(await pokes()).toMatchObject([{ reason: 'notification', groupIds: [heldId] }]);

    const after = await gwb(['held', '--json'], admin);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ count: 1, value: [{ groupId: heldId, approvedAt: expect.any(String) as string }] });

    const none = await gwb(['approve', written], admin);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`gwb: nothing is held for ${written} (gwb held lists what is)\n`);
  });

  it('resync --no-wait asks for a reconcile of every group, or a resync of the named ones', async () => {
    const all = await gwb(['resync', '--no-wait'], admin);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toBe('reconcile of every group asked for; gwb status follows it\n');
    expect(await pokes()).toMatchObject([{ reason: 'reconcile' }]);

    const some = await gwb(['resync', '--groups', `${written},${failed}`, '--mode', 'resync', '--no-wait', '--json'], admin);
    expect(some.code, some.stderr).toBe(0);
    expect(JSON.parse(some.stdout)).toEqual({ enqueued: 'resync' });
    const [poke, ...rest] = await pokes();
    expect(rest).toEqual([]);
    expect(poke).toMatchObject({ reason: 'resync' });
    expect([...(poke?.groupIds ?? [])].sort()).toEqual([written, failed].sort());
  });
});

describe('gwb writeback: the admin marks a group in Graph, as themselves', () => {
  it('PATCHes /beta/groups/{id} writebackConfiguration, and Graph notifies the Function App', async () => {
    const group = stack.sim.control.createGroup({ displayName: 'Printers CLI', kind: 'security' });
    const groupId = String(group['id']);
    await stack.host.runTimer('subscriptions');
    await pokes(); // the new subscription asks for a resync
    const caFile = join(tmpdir(), `gwb-test-sim-${stack.sim.port}.pem`);
    await writeFile(caFile, stack.sim.caPem ?? '');
    const graph = {
      GWB_GRAPH_URL: stack.sim.baseUrl,
      GWB_GRAPH_TOKEN: stack.sim.entra.mintToken({ roles: [], audience: 'https://graph.microsoft.com', scopes: ['Group.ReadWrite.All'] }),
      NODE_EXTRA_CA_CERTS: caFile,
    };

    const twins = [0, 1].map(() => String(stack.sim.control.createGroup({ displayName: 'Twins', kind: 'security' })['id']));
    const ambiguous = await gwb(['writeback', 'twins', '--enable'], graph);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr.split('\n').slice(0, 3).sort()).toEqual(['gwb: "twins" names 2 cloud groups; give the id of one:', ...twins.map((id) => `  Twins (${id})`)].sort());
    const unknown = await gwb(['writeback', 'Printers', '--enable'], graph);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('gwb: no cloud group is named "Printers" (give the whole name, or the id)\n');

    const enabled = await gwb(['writeback', 'Printers CLI', '--enable', '--type', 'universalSecurityGroup'], graph);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe(`Printers CLI (${groupId}): writeback was not set, now on as universalSecurityGroup\nthe product follows the change from Graph; check with: gwb group ${groupId}\n`);
    await stack.sim.control.idle();
    await expect.poll(async () => (await pokes()).flatMap((p) => p.groupIds ?? []), { timeout: 10_000 }).toContain(groupId);

    const disabled = await gwb(['writeback', groupId, '--disable', '--json'], graph);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toEqual({
      groupId,
      displayName: 'Printers CLI',
      before: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' },
      after: { isEnabled: false, onPremisesGroupType: 'universalSecurityGroup' },
    });

    const usage = await gwb(['writeback', groupId, '--disable', '--type', 'universalSecurityGroup'], graph);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')[0]).toBe('--type goes with --enable');
  });
});
