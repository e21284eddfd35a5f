// Every command as a person first runs it: --help prints the usage and exits 0 without starting anything;
// an unknown option is one line naming it plus the usage, exit 2, and never a stack trace.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

async function command(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), file, ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'error' },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const COMMANDS = [
  { file: 'dev/demo.ts', usage: 'npm run demo' },
  { file: 'dev/graph-sim/main.ts', usage: 'npm run graph-sim' },
  { file: 'dev/host/main.ts', usage: 'npm run host' },
  { file: 'dev/scenario/main.ts', usage: 'npm run scenario' },
  { file: 'bench/run.ts', usage: 'npm run bench' },
  { file: 'relay/main.ts', usage: 'relay --config' },
  { file: 'cli/main.ts', usage: 'gwb' },
];

const STACK_FRAME = /^\s+at /m;

describe('command line', () => {
  it.concurrent.each(COMMANDS)('$file --help prints the usage and exits 0', { timeout: 60_000 }, async ({ file, usage }) => {
    const r = await command(file, ['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: ${usage}`, 'i'));
    expect(r.stderr).toBe('');
  });

  it.concurrent.each(COMMANDS)('$file --bogus names the option, prints the usage and exits 2', { timeout: 60_000 }, async ({ file, usage }) => {
    const r = await command(file, ['--bogus']);
    expect(r.code, r.stderr).toBe(2);
    const [first, ...rest] = r.stderr.split('\n');
    expect(first).toMatch(/^Unknown option '--bogus'/);
    expect(rest.join('\n')).toMatch(new RegExp(`^usage: ${usage}`, 'i'));
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stdout).toBe('');
  });
});
