// The relay's config file: defaults, and errors that name the wrong or missing setting without ever
// echoing a value (a misplaced password must not end up in a log or a terminal).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRelayConfig, parseRelayConfig, readSecret, RelayConfigError, type RelayConfigInput } from '../../relay/config.js';

const SECRET = 'Sup3r-Secret-Value!';

function valid(): RelayConfigInput {
  return {
    relayId: 'relay-01',
    ldap: {
      urls: ['ldaps://dc1.corp.example:636', 'ldaps://dc2.corp.example'],
      caFile: '/etc/writeback/ca.pem',
      bindDn: 'CN=svc-writeback,OU=Service,DC=corp,DC=example',
      bindPassword: { env: 'WRITEBACK_BIND_PASSWORD' },
      writebackOu: 'OU=Writeback,DC=corp,DC=example',
    },
    queue: { type: 'embedded' },
  };
}

function errorOf(input: unknown): RelayConfigError {
  try {
    parseRelayConfig(input);
  } catch (error) {
    if (error instanceof RelayConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('relay config', () => {
  it('accepts a minimal config and fills in the defaults', () => {
    const config = parseRelayConfig(valid());
    expect(config.queues).toEqual({ writeback: 'writeback', results: 'writeback-results' });
    expect(config.ldap.memberChunkSize).toBe(500);
    expect(config.sessions.concurrency).toBe(4);
    expect(config.sessions).toMatchObject({ retryDelayMs: 1_000, retryMaxDelayMs: 300_000 });
    expect(config.safety).toEqual({ stagingMode: false });
    expect(config.logLevel).toBe('info');
  });

  it('accepts a Service Bus queue with a certificate credential', () => {
    const config = parseRelayConfig({
      ...valid(),
      queue: {
        type: 'serviceBus',
        namespace: 'contoso-writeback.servicebus.windows.net',
        credential: {
          type: 'certificate',
          tenantId: '11111111-2222-3333-4444-555555555555',
          clientId: '66666666-7777-8888-9999-000000000000',
          certificatePath: '/etc/writeback/relay.pem',
        },
      },
    });
    expect(config.queue.type).toBe('serviceBus');
  });

  it('names a missing setting', () => {
    const input = valid();
    delete (input.ldap as Partial<typeof input.ldap>).writebackOu;
    expect(errorOf(input).message).toContain('ldap.writebackOu');
  });

  it('names a wrong setting', () => {
    const error = errorOf({ ...valid(), ldap: { ...valid().ldap, memberChunkSize: 0 } });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(/^ldap\.memberChunkSize: /);
  });

  it('takes previous writeback OUs (none by default) and names a wrong one', () => {
    expect(parseRelayConfig(valid()).ldap.previousWritebackOus).toEqual([]);
    const previous = ['OU=Old Writeback,DC=corp,DC=example'];
    expect(parseRelayConfig({ ...valid(), ldap: { ...valid().ldap, previousWritebackOus: previous } }).ldap.previousWritebackOus).toEqual(previous);
    expect(errorOf({ ...valid(), ldap: { ...valid().ldap, previousWritebackOus: [...previous, 'Old Writeback'] } }).issues).toEqual([
      'ldap.previousWritebackOus.1: expected a distinguished name',
    ]);
  });

  it('refuses cleartext LDAP URLs and names the list entry', () => {
    const error = errorOf({ ...valid(), ldap: { ...valid().ldap, urls: ['ldaps://dc1', 'ldap://dc2:389'] } });
    expect(error.message).toContain('ldap.urls.1');
    expect(error.message).toContain('ldaps://');
  });

  it('names an unknown setting (typos are not silently ignored)', () => {
    const error = errorOf({ ...valid(), stagingmode: true });
    expect(error.message).toContain('"stagingmode"');
  });

  it('has no deletion threshold of its own: the planner holds mass deletions before they are sent', () => {
    const error = errorOf({ ...valid(), safety: { deletionThreshold: { maxDeletes: 500, windowMinutes: 60 } } });
    expect(error.message).toContain('"deletionThreshold"');
  });

  it('refuses an inline password without printing it', () => {
    const inline = errorOf({ ...valid(), ldap: { ...valid().ldap, bindPassword: SECRET } });
    expect(inline.message).toContain('ldap.bindPassword');
    expect(inline.message).not.toContain(SECRET);
    const asObject = errorOf({ ...valid(), ldap: { ...valid().ldap, bindPassword: { value: SECRET } } });
    expect(asObject.message).toContain('ldap.bindPassword');
    expect(asObject.message).not.toContain(SECRET);
    const misplaced = errorOf({ ...valid(), ldap: { ...valid().ldap, password: SECRET } });
    expect(misplaced.message).toContain('"password"');
    expect(misplaced.message).not.toContain(SECRET);
  });

  it('does not echo a value that has the wrong type', () => {
    const error = errorOf({ ...valid(), relayId: SECRET });
    expect(error.message).toContain('relayId');
    expect(error.message).not.toContain(SECRET);
  });

  it('reports a config file that is not JSON without quoting it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'relay-config-'));
    const file = path.join(dir, 'relay.json');
    await writeFile(file, `{ "relayId": "r1", "ldap": { "bindPassword": ${SECRET} } }`);
    const error = await loadRelayConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayConfigError);
    expect((error as Error).message).toContain('not valid JSON');
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('accepts the shipped sample (relay/deploy/linux/relay.sample.json)', async () => {
    const config = await loadRelayConfig(path.join(import.meta.dirname, '../../relay/deploy/linux/relay.sample.json'));
    expect(config.queue.type).toBe('serviceBus');
    expect(config.ldap.bindPassword).toHaveProperty('file');
  });

  it('loads a config file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'relay-config-'));
    const file = path.join(dir, 'relay.json');
    await writeFile(file, JSON.stringify(valid()));
    expect((await loadRelayConfig(file)).relayId).toBe('relay-01');
  });
});

describe('Service Bus transport, proxy and heartbeat settings', () => {
  const serviceBus = (extra: Record<string, unknown>): unknown => ({
    ...valid(),
    queue: {
      type: 'serviceBus',
      namespace: 'contoso-writeback.servicebus.windows.net',
      credential: { type: 'managedIdentity' },
      ...extra,
    },
  });

  it('defaults to AMQP on 5671 and a heartbeat every minute', () => {
    const config = parseRelayConfig(serviceBus({}));
    expect(config.queue).toMatchObject({ transport: 'amqp' });
    expect(config.queue).not.toHaveProperty('proxy');
    expect(config.heartbeat).toEqual({ intervalSeconds: 60 });
  });

  it('accepts WebSockets with a proxy whose password comes from a secret source', () => {
    const config = parseRelayConfig(
      serviceBus({ transport: 'websockets', proxy: { url: 'http://proxy.corp.example:3128', username: 'relay', password: { env: 'PROXY_PW' } } }),
    );
    expect(config.queue).toMatchObject({ transport: 'websockets', proxy: { url: 'http://proxy.corp.example:3128', username: 'relay' } });
  });

  it('refuses a proxy with AMQP, since 5671 does not pass an HTTP proxy', () => {
    expect(errorOf(serviceBus({ proxy: { url: 'http://proxy:3128' } })).message).toContain("queue.proxy: a proxy needs transport 'websockets'");
  });

  it('refuses proxy URLs that are not plain http://host:port, and credentials inside them', () => {
    for (const url of ['https://proxy:3128', 'http://relay:pw@proxy:3128', 'http://proxy:3128/path', 'proxy:3128']) {
      const error = errorOf(serviceBus({ transport: 'websockets', proxy: { url } }));
      expect(error.issues, url).toEqual([expect.stringMatching(/^queue\.proxy\.url: expected http:\/\/host:port/)]);
      expect(error.message).not.toContain('pw@');
    }
  });

  it('wants a proxy user name and password together, the password never inline', () => {
    expect(errorOf(serviceBus({ transport: 'websockets', proxy: { url: 'http://proxy:3128', username: 'relay' } })).message).toContain(
      'queue.proxy.password: username and password go together',
    );
    const inline = errorOf(serviceBus({ transport: 'websockets', proxy: { url: 'http://proxy:3128', username: 'relay', password: SECRET } }));
    expect(inline.message).toContain('queue.proxy.password');
    expect(inline.message).not.toContain(SECRET);
  });

  it('bounds the heartbeat interval', () => {
    expect(parseRelayConfig({ ...valid(), heartbeat: { intervalSeconds: 5 } }).heartbeat.intervalSeconds).toBe(5);
    expect(errorOf({ ...valid(), heartbeat: { intervalSeconds: 0 } }).issues[0]).toMatch(/^heartbeat\.intervalSeconds: /);
  });
});

describe('bind password source', () => {
  it('reads an environment variable and names it when missing', async () => {
    await expect(readSecret({ env: 'RELAY_PW' }, { RELAY_PW: SECRET })).resolves.toBe(SECRET);
    const error = await readSecret({ env: 'RELAY_PW' }, {}).catch((e: unknown) => e);
    expect((error as Error).message).toContain('RELAY_PW');
  });

  it('reads a file without its trailing newline, and never prints its content', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'relay-secret-'));
    const file = path.join(dir, 'bind.secret');
    await writeFile(file, `${SECRET}\n`);
    await expect(readSecret({ file })).resolves.toBe(SECRET);
    const missing = await readSecret({ file: path.join(dir, 'nope') }).catch((e: unknown) => e);
    expect((missing as Error).message).toContain('ldap.bindPassword.file');
    expect((missing as Error).message).toContain('ENOENT');
  });
});
