// `relay --check` as an operator runs it: the real binary (through dev/relay/main.ts, which serves the
// embedded queue as `queue.type: embedded`) against the Samba DC. All checks pass on a good configuration,
// without taking work and without leaving the probe group behind; a wrong CA, a wrong password or a missing
// OU each fail their check (exit 1) with the reason; an unreadable secret is a configuration error (exit 2).
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { startRemoteQueueServer, type RemoteQueueServer } from '../../dev/queue/remote-server.js';
import { heartbeatMessageSchema } from '../../shared/contracts/heartbeat-message.js';
import { silentLogger } from '../../shared/logging.js';
import { newGroupId, relayFixture, upsertMessage, type RelayFixture } from '../support/relay-fixture.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const PASSWORD_ENV = 'RELAY_CHECK_TEST_PASSWORD';

let fx: RelayFixture;
let broker: EmbeddedBroker;
let server: RemoteQueueServer;
let dir: string;

beforeAll(async () => {
  fx = await relayFixture('relay-check');
  broker = new EmbeddedBroker({ queues: { writeback: { requiresSession: true }, 'writeback-results': { requiresSession: false } } });
  server = await startRemoteQueueServer(broker.client(), silentLogger());
  dir = await mkdtemp(join(tmpdir(), 'relay-check-'));
});

afterAll(async () => {
  await server?.close();
  await fx?.close();
});

function config(ldap: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    relayId: 'relay-check',
    ldap: {
      urls: [fx.dc.url],
      tlsServerName: fx.dc.tlsServerName,
      caFile: fx.dc.caFile,
      bindDn: fx.dc.adminBindDn,
      bindPassword: { env: PASSWORD_ENV },
      writebackOu: fx.writebackOu,
      ...ldap,
    },
    queue: { type: 'embedded' },
  };
}

async function check(content: Record<string, unknown>, password = fx.dc.adminPassword): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `relay-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(content));
  const env = { ...process.env, WRITEBACK_LOCAL_QUEUE_URL: server.url, [PASSWORD_ENV]: password };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'dev/relay/main.ts', '--check', '--config', file], { cwd: root, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const failed = (stdout: string): string[] => stdout.split('\n').filter((line) => line.startsWith('✗'));

describe('relay --check', () => {
  it('passes on a good configuration, takes no work and leaves nothing behind', async () => {
    const groupId = newGroupId();
    const waiting = upsertMessage(groupId, 1);
    await broker.client().sender('writeback').send([{ messageId: `${groupId}:1`, sessionId: groupId, body: waiting }]);

    const r = await check(config());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(failed(r.stdout)).toEqual([]);
    for (const subject of [`${fx.dc.url} TLS`, `${fx.dc.url} bind`, 'domain', 'writeback OU', 'writeback OU rights', 'queue writeback receive', 'queue writeback-results send']) {
      expect(r.stdout).toContain(`✓ ${subject}: `);
    }
    expect(r.stdout).toMatch(/all 7 checks passed/);

    const { searchEntries } = await fx.admin.search(fx.writebackOu, { scope: 'sub', filter: '(cn=gwb-check-*)', attributes: ['1.1'] });
    expect(searchEntries).toEqual([]);
    // The waiting change set is still there, never delivered.
    const session = await broker.client().acceptNextSession('writeback', 1_000);
    const [message] = (await session?.receive(1, 1_000)) ?? [];
    expect(message).toMatchObject({ messageId: `${groupId}:1`, deliveryCount: 1 });
    await session?.close();
    // The send right was proven with a heartbeat marked "check".
    const results = broker.client().receiver('writeback-results');
    const sent = await results.receive(10, 1_000);
    await results.close();
    expect(sent.map((m) => m.subject)).toEqual(['heartbeat']);
    expect(heartbeatMessageSchema.parse(sent[0]!.body)).toMatchObject({ mode: 'check', relayId: 'relay-check', dc: fx.dc.url });
  });

  it('fails the TLS check with a CA that did not issue the DC certificate', async () => {
    const otherCa = join(dir, 'other-ca.pem');
    await writeFile(otherCa, rootCertificates[0]!);
    const r = await check(config({ caFile: otherCa }));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(failed(r.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^✗ ${fx.dc.url.replaceAll('.', '\\.')} TLS: certificate not trusted: ldap\\.caFile does not hold the CA`)),
      '✗ writeback OU: not checked: no DC accepted the bind',
    ]);
  });

  it('fails the bind check with a wrong password, without printing it', async () => {
    const wrong = 'Wrong-Passw0rd-For-Check';
    const r = await check(config(), wrong);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(failed(r.stdout)[0]).toMatch(/^✗ .* bind: the DC refused the bind: wrong password, or the account is locked, disabled or expired/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('fails the OU check when the writeback OU does not exist', async () => {
    const missing = `OU=Missing,${fx.ouDn}`;
    const r = await check(config({ writebackOu: missing }));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(failed(r.stdout)).toEqual([`✗ writeback OU: ${missing} does not exist (ldap.writebackOu)`]);
  });

  it('exits 2 when the bind password file cannot be read', async () => {
    const r = await check(config({ bindPassword: { file: join(dir, 'no-such-password') } }));
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('✗ configuration: invalid relay configuration: ldap.bindPassword.file:');
  });
});
