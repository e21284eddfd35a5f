// The relay's command line: a wrong config stops start-up with exit code 2 and a message naming the
// setting (never a secret), also when a secret or file it names cannot be read; importing the module starts
// nothing.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../relay/main.js';
import type { QueueClient } from '../../shared/ports/queue.js';

const SECRET = 'Inline-Secret-42!';

async function configFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'relay-main-'));
  const file = path.join(dir, 'relay.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

function captureErrors(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('relay main', () => {
  it('needs --config', async () => {
    const errors = captureErrors();
    expect(await main([])).toBe(2);
    expect(errors.join('\n')).toContain('--config is required');
  });

  it('stops on a wrong setting, naming it and not the password', async () => {
    const errors = captureErrors();
    const file = await configFile({
      relayId: 'relay-01',
      ldap: { urls: ['ldaps://dc1:636'], caFile: '/ca.pem', bindDn: 'CN=svc,DC=corp', bindPassword: SECRET, writebackOu: 'OU=WB,DC=corp' },
      queue: { type: 'embedded' },
    });
    expect(await main(['--config', file])).toBe(2);
    const text = errors.join('\n');
    expect(text).toContain('ldap.bindPassword');
    expect(text).not.toContain(SECRET);
  });

  it('refuses the in-process queue for a relay process', async () => {
    const errors = captureErrors();
    const file = await configFile({
      relayId: 'relay-01',
      ldap: { urls: ['ldaps://dc1:636'], caFile: '/ca.pem', bindDn: 'CN=svc,DC=corp', bindPassword: { env: 'X' }, writebackOu: 'OU=WB,DC=corp' },
      queue: { type: 'embedded' },
    });
    expect(await main(['--config', file])).toBe(2);
    expect(errors.join('\n')).toContain('queue.type');
  });
});

describe('relay main: settings that cannot work are configuration errors (exit code 2)', () => {
  const ldap = { urls: ['ldaps://dc1:636'], caFile: '/ca.pem', bindDn: 'CN=svc,DC=corp', writebackOu: 'OU=WB,DC=corp' };

  it('a bind password file that cannot be read', async () => {
    const errors = captureErrors();
    let closed = false;
    const queue = { close: () => Promise.resolve(void (closed = true)) } as unknown as QueueClient;
    const file = await configFile({ relayId: 'relay-01', ldap: { ...ldap, bindPassword: { file: '/nonexistent/bind-password' } }, queue: { type: 'embedded' } });
    expect(await main(['--config', file], () => queue)).toBe(2);
    expect(errors.join('\n')).toContain('ldap.bindPassword.file: /nonexistent/bind-password cannot be read (ENOENT)');
    expect(closed).toBe(true);
  });

  it('a certificate file that cannot be read', async () => {
    const errors = captureErrors();
    const file = await configFile({
      relayId: 'relay-01',
      ldap: { ...ldap, bindPassword: { env: 'X' } },
      queue: {
        type: 'serviceBus',
        namespace: 'contoso.servicebus.windows.net',
        credential: { type: 'certificate', tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', certificatePath: '/nonexistent/relay.pem' },
      },
    });
    expect(await main(['--config', file])).toBe(2);
    expect(errors.join('\n')).toContain('queue.credential.certificatePath: /nonexistent/relay.pem cannot be read (ENOENT)');
  });

  it('--check with an invalid configuration', async () => {
    const errors = captureErrors();
    const file = await configFile({ relayId: 'relay-01' });
    expect(await main(['--check', '--config', file])).toBe(2);
    expect(errors.join('\n')).toContain('ldap:');
  });
});
