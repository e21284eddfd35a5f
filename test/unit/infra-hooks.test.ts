// The azd preprovision hook (POSIX): generates the clientState secret once per azd environment and never replaces
// it. Runs the real script against a stand-in `azd` that keeps its environment in a file.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const hook = join(import.meta.dirname, '..', '..', 'infra', 'hooks', 'preprovision.sh');

// Minimal `azd env get-value KEY` / `azd env set KEY VALUE` over a KEY=VALUE file; get-value of a missing key
// fails like azd does.
const fakeAzd = `#!/bin/sh
store="$AZD_FAKE_ENV"
if [ "$1 $2" = "env get-value" ]; then
  line=$(grep "^$3=" "$store" 2>/dev/null) || { echo "ERROR: key '$3' not found" >&2; exit 1; }
  printf '%s\\n' "\${line#*=}"
elif [ "$1 $2" = "env set" ]; then
  grep -v "^$3=" "$store" > "$store.tmp" 2>/dev/null || true
  printf '%s=%s\\n' "$3" "$4" >> "$store.tmp"
  mv "$store.tmp" "$store"
else
  exit 2
fi
`;

let dir: string;
let store: string;

function runHook(): string {
  return execFileSync('sh', [hook], {
    encoding: 'utf8',
    env: { PATH: `${dir}:${process.env['PATH'] ?? ''}`, AZD_FAKE_ENV: store },
  });
}

function stored(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(store, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'azd-hook-'));
  store = join(dir, 'env');
  writeFileSync(store, 'AZURE_ENV_NAME=demo\n');
  writeFileSync(join(dir, 'azd'), fakeAzd);
  chmodSync(join(dir, 'azd'), 0o755);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('preprovision hook', () => {
  it('generates a 256-bit hex secret when the environment has none, without printing it', () => {
    const out = runHook();
    const secret = stored()['CLIENT_STATE_SECRET'];
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(out).toContain('generated');
    expect(out).not.toContain(secret);
    expect(stored()['AZURE_ENV_NAME']).toBe('demo');
  });

  it('keeps an existing secret on every later run', () => {
    runHook();
    const first = stored()['CLIENT_STATE_SECRET'];
    expect(runHook()).toContain('kept');
    expect(stored()['CLIENT_STATE_SECRET']).toBe(first);
  });

  it('keeps a secret the admin set (rotation)', () => {
    writeFileSync(store, 'CLIENT_STATE_SECRET=chosen-by-the-admin-0123456789\n');
    runHook();
    expect(stored()['CLIENT_STATE_SECRET']).toBe('chosen-by-the-admin-0123456789');
  });

  it('replaces an empty value', () => {
    writeFileSync(store, 'CLIENT_STATE_SECRET=\n');
    runHook();
    expect(stored()['CLIENT_STATE_SECRET']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('two environments get different secrets', () => {
    runHook();
    const first = stored()['CLIENT_STATE_SECRET'];
    writeFileSync(store, '');
    runHook();
    expect(stored()['CLIENT_STATE_SECRET']).not.toBe(first);
  });
});
