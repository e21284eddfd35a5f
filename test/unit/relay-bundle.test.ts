// The relay as one file to install (dev/relay/bundle.ts, `npm run relay:bundle`): it builds, imports nothing
// but Node's own modules (no node_modules on the relay host), carries the version, answers --help, refuses an
// invalid configuration under --check with exit code 2, and has the service files and docs beside it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleRelay, type RelayBundle } from '../../dev/relay/bundle.js';

const run = promisify(execFile);
let outDir: string;
let bundle: RelayBundle;

async function relay(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bundle.file, ...args], { cwd: outDir, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'relay-bundle-'));
  bundle = await bundleRelay(outDir);
}, 120_000);

describe('relay bundle', () => {
  it('is one ES module that needs only Node itself, with the version written in', () => {
    expect(bundle.file).toBe(join(outDir, 'relay.mjs'));
    expect(bundle.external.length).toBeGreaterThan(0);
    expect(bundle.external.filter((m) => !isBuiltin(m))).toEqual([]);
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(bundle.version).toBe(version);
    expect(readFileSync(bundle.file, 'utf8')).toContain(JSON.stringify(version));
  });

  it('answers --help with exit code 0', async () => {
    const r = await relay(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: relay --config <file\.json> \[--check\]/);
  });

  it('--check exits 2 on an invalid configuration and on a queue the product cannot use', async () => {
    const bad = join(outDir, 'bad.json');
    await writeFile(bad, JSON.stringify({ relayId: 'relay-01', ldap: { urls: ['ldap://dc1'] } }));
    const invalid = await relay(['--check', '--config', bad]);
    expect(invalid.code, invalid.stderr).toBe(2);
    expect(invalid.stderr).toContain('ldap.urls.0');

    const embedded = join(outDir, 'embedded.json');
    const ca = join(outDir, 'ca.pem');
    await writeFile(ca, 'not used');
    await writeFile(embedded, JSON.stringify({
      relayId: 'relay-01',
      ldap: { urls: ['ldaps://dc1'], caFile: ca, bindDn: 'CN=svc,DC=corp', bindPassword: { env: 'PW' }, writebackOu: 'OU=WB,DC=corp' },
      queue: { type: 'embedded' },
    }));
    const refused = await relay(['--check', '--config', embedded], { PW: 'x' });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stdout).toContain("✗ configuration: invalid relay configuration: queue.type: 'embedded' only works");
  });

  it('has the service files and the docs beside it', () => {
    for (const file of ['linux/group-writeback-relay.service', 'linux/relay.sample.json', 'windows/group-writeback-relay.xml', 'windows/install-relay-service.ps1', 'docs/relay.md', 'docs/deployment.md']) {
      expect(existsSync(join(outDir, file)), file).toBe(true);
    }
  });
});
