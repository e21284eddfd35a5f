// The scenario command as a user runs it: exit codes and the dump files it writes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

async function scenario(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'dev/scenario/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'error' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm run scenario', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'scenario-cli-'));

  it('exits 2 with the step number for an unknown op, before touching anything', async () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', steps: [{ op: 'reconcile' }, { op: 'teleport' }] }));
    const r = await scenario([file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/step 2/);
  });

  it('exits 2 for a missing file and for bad usage', async () => {
    expect((await scenario([join(tmp, 'nope.json')])).code).toBe(2);
    expect((await scenario([])).code).toBe(2);
  });

  it('runs a scenario and writes the dump and its checkpoint dumps', { timeout: 240_000 }, async () => {
    const out = join(tmp, 'out.json');
    const r = await scenario([join(root, 'test/scenarios/tenant-default.json'), '--dump', out]);
    expect(r.code, r.stderr).toBe(0);
    const dump = JSON.parse(readFileSync(out, 'utf8')) as { ou: string; groups: { cn: string }[]; status: unknown[] };
    expect(dump.ou).toMatch(/^OU=Writeback,/);
    expect(dump.groups.map((g) => g.cn)).toEqual(['Group_d0000001-0000-4000-8000-0000000000d2']);
    expect(existsSync(join(tmp, 'out.created.json'))).toBe(false);
  });
});
