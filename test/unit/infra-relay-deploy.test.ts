// The relay's service definitions in relay/deploy/: the systemd unit runs the one-file bundle (relay.mjs, from
// dev/relay/bundle.ts) with the config, hands over the secrets the sample config points to, and is hardened; the
// Windows service definition and its install script agree with it and keep the config on upgrade; the sample
// config is valid for the relay's own schema.
import { readFileSync } from 'node:fs';
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
  it('runs the bundle with the config file, which lives outside the install directory', () => {
    expect(readFileSync(join(root, 'dev', 'relay', 'bundle.ts'), 'utf8')).toContain("join(outDir, 'relay.mjs')");
    expect(unit.get('ExecStart')).toEqual(['/usr/bin/node /opt/group-writeback/relay.mjs --config /etc/group-writeback/relay.json']);
    expect(unit.get('WorkingDirectory')).toEqual(['/opt/group-writeback']);
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

  it('runs the same bundle with a config file under ProgramData', () => {
    const args = /<arguments>(.*)<\/arguments>/.exec(xml)?.[1];
    expect(args).toBe('"%ProgramFiles%\\GroupWriteback\\relay.mjs" --config "%ProgramData%\\GroupWriteback\\relay.json"');
    expect(/<executable>(.*)<\/executable>/.exec(xml)?.[1]).toBe('%ProgramFiles%\\nodejs\\node.exe');
  });

  it('has the service id the install script manages and runs as its virtual account', () => {
    const id = /<id>(.*)<\/id>/.exec(xml)?.[1];
    expect(script).toContain(`$serviceName = '${id ?? '?'}'`);
    expect(script).toContain('$account = "NT SERVICE\\$serviceName"');
    expect(script).toContain('obj= $account');
    expect(script).not.toMatch(/password\s*=/i);
  });

  it('installs the bundle into the install directory and never writes into the data directory', () => {
    expect(script).toContain("Copy-Item -Force $BundlePath (Join-Path $InstallDir 'relay.mjs')");
    expect(script).toContain("[string]$BundlePath = (Join-Path (Split-Path $PSScriptRoot -Parent) 'relay.mjs')");
    const copies = script.split('\n').filter((line) => /Copy-Item|Set-Content|Out-File|Remove-Item|Move-Item/.test(line));
    expect(copies.length).toBeGreaterThan(0);
    for (const line of copies) expect(line, line).not.toMatch(/\$DataDir|Remove-Item|Move-Item/);
    // An upgrade stops a running service and starts it again.
    expect(script).toMatch(/if \(\$wasRunning\) \{\s*# [^\n]*\n\s*Stop-Service/);
    expect(script).toContain('Start-Service -Name $serviceName');
  });
});

describe('sample relay.json', () => {
  it('is valid for the relay and verifies DC certificates over LDAPS', () => {
    expect(sample.ldap.urls.every((u) => u.startsWith('ldaps://'))).toBe(true);
    expect(sample.ldap.caFile).toMatch(/\.pem$/);
    expect(sample.queues).toEqual({ writeback: 'writeback', results: 'writeback-results' });
  });
});

describe('relay network requirements in the docs', () => {
  const section = (file: string, from: string, to: string): string => {
    const text = readFileSync(join(root, 'docs', file), 'utf8');
    const start = text.indexOf(from);
    return text.slice(start, text.indexOf(to, start + from.length));
  };
  const install = section('relay.md', '## Install', '\n## ');
  const prerequisites = section('deployment.md', 'On-premises, for the relay:', '\n## ');

  it.each([
    ['relay.md, Install', install],
    ['deployment.md, Prerequisites', prerequisites],
  ])('%s: Service Bus on 5671 (AMQP) or 443 (WebSockets), LDAPS on 636, the sign-in on 443', (_name, text) => {
    expect(text).toMatch(/5671[^\n]*AMQP|AMQP over TLS[^\n]*5671/);
    expect(text).toMatch(/AMQP over WebSockets[^|\n]*443|443[^\n]*AMQP over WebSockets/);
    expect(text).toContain('queue.transport');
    expect(text).toMatch(/LDAPS[^\n]*636|636[^\n]*LDAPS/);
    expect(text).toMatch(/login\.microsoftonline\.com/);
    // The old, wrong claim: Service Bus over plain HTTPS 443 without naming the transport.
    expect(text).not.toMatch(/HTTPS\s*\(443\) to [`*]*[<*]?[\w-]*\.?servicebus/);
  });
});
