// The relay's service definitions in relay/deploy/: the systemd unit runs the built relay/main.ts with the config,
// hands over the secrets the sample config points to, and is hardened; the Windows service definition and its
// install script agree with it; the sample config is valid for the relay's own schema.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRelayConfig } from '../../relay/config.js';

const root = join(import.meta.dirname, '..', '..');
const deploy = join(root, 'relay', 'deploy');
const unitName = 'group-writeback-relay.service';

/** key -> values of the [Service] section (systemd allows repeated keys). */
function serviceSection(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

const unit = serviceSection(readFileSync(join(deploy, 'linux', unitName), 'utf8'));
const sample = parseRelayConfig(JSON.parse(readFileSync(join(deploy, 'linux', 'relay.sample.json'), 'utf8')));

describe('systemd unit', () => {
  it('runs the built relay entry point with the config file', () => {
    expect(existsSync(join(root, 'relay', 'main.ts'))).toBe(true); // built to dist/relay/main.js
    expect(unit.get('ExecStart')).toEqual([
      '/usr/bin/node /opt/group-writeback/dist/relay/main.js --config /etc/group-writeback/relay.json',
    ]);
    expect(unit.get('KillSignal')).toEqual(['SIGTERM']);
  });

  it('hands over exactly the secret files the sample config reads, as credentials', () => {
    const credentialsDir = `/run/credentials/${unitName}/`;
    const loaded = (unit.get('LoadCredential') ?? []).map((v) => v.split(':')[0]!).sort();
    const credential = sample.queue.type === 'serviceBus' ? sample.queue.credential : undefined;
    const used = [
      credential?.type === 'certificate' ? credential.certificatePath : '',
      'file' in sample.ldap.bindPassword ? sample.ldap.bindPassword.file : '',
    ];
    for (const path of used) expect(path.startsWith(credentialsDir), path).toBe(true);
    expect(used.map((p) => p.slice(credentialsDir.length)).sort()).toEqual(loaded);
  });

  it('runs unprivileged and hardened, without breaking the V8 JIT', () => {
    const expected: Record<string, string> = {
      DynamicUser: 'yes',
      NoNewPrivileges: 'yes',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      RestrictSUIDSGID: 'yes',
      UMask: '0077',
      Restart: 'on-failure',
    };
    for (const [key, value] of Object.entries(expected)) expect(unit.get(key), key).toEqual([value]);
    expect(unit.get('RestrictAddressFamilies')).toEqual(['AF_INET AF_INET6 AF_UNIX']);
    expect(unit.has('MemoryDenyWriteExecute')).toBe(false);
    expect(unit.has('User')).toBe(false);
  });
});

describe('Windows service', () => {
  const xml = readFileSync(join(deploy, 'windows', 'group-writeback-relay.xml'), 'utf8');
  const script = readFileSync(join(deploy, 'windows', 'install-relay-service.ps1'), 'utf8');

  it('runs the same entry point with a config file under ProgramData', () => {
    const args = /<arguments>(.*)<\/arguments>/.exec(xml)?.[1];
    expect(args).toBe('"%ProgramFiles%\\GroupWriteback\\dist\\relay\\main.js" --config "%ProgramData%\\GroupWriteback\\relay.json"');
    expect(/<executable>(.*)<\/executable>/.exec(xml)?.[1]).toBe('%ProgramFiles%\\nodejs\\node.exe');
  });

  it('has the service id the install script manages and runs as its virtual account', () => {
    const id = /<id>(.*)<\/id>/.exec(xml)?.[1];
    expect(script).toContain(`$serviceName = '${id ?? '?'}'`);
    expect(script).toContain('$account = "NT SERVICE\\$serviceName"');
    expect(script).toContain('obj= $account');
    expect(script).not.toMatch(/password\s*=/i);
  });
});

describe('sample relay.json', () => {
  it('is valid for the relay and verifies DC certificates over LDAPS', () => {
    expect(sample.ldap.urls.every((u) => u.startsWith('ldaps://'))).toBe(true);
    expect(sample.ldap.caFile).toMatch(/\.pem$/);
    expect(sample.queues).toEqual({ writeback: 'writeback', results: 'writeback-results' });
  });
});
