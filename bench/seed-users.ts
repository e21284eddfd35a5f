// Runs bench/seed-users.py against the local DC: bulk user creation through Samba's module stack straight
// into the running DC's sam.ldb (hundreds of users a second, against 25-40 over LDAP adds). It needs the DC's
// files on this machine (the local stack's DC always is) and the Python that samba-tool runs with, which
// carries Samba's bindings.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { findExecutable } from '../dev/stack/samba-domain.js';
import type { SambaDc } from '../dev/stack/samba.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'seed-users.py');

const lineSchema = z.union([
  z.object({ created: z.number(), missing: z.number(), ms: z.number() }).strict(),
  z.object({ user: z.tuple([z.string(), z.string()]) }).strict(),
  z.object({ result: z.object({ present: z.number(), created: z.number(), ms: z.number() }).strict() }).strict(),
]);

export interface SeedResult {
  present: number;
  created: number;
  /** Time spent creating. */
  ms: number;
  /** Every user in the OU afterwards: sAMAccountName -> SID (S-1-5-21-...). */
  sids: Map<string, string>;
}

/** The interpreter on samba-tool's `#!` line (the one with Samba's Python bindings). */
function sambaPython(): string {
  const tool = findExecutable('samba-tool');
  if (!tool) throw new Error('samba-tool not found: the bench users are created with Samba\'s Python bindings');
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(tool, 'utf8').split('\n', 1)[0] ?? '');
  if (!shebang?.[1]) throw new Error(`cannot tell which Python ${tool} runs with`);
  return shebang[1];
}

export interface SeedOptions {
  /** The users' OU (its parent OUs are created too). */
  usersOu: string;
  /** sAMAccountName = prefix + index (1..count) left-padded with zeros to `width` digits. */
  prefix: string;
  width: number;
  count: number;
  /** Adds per transaction: the DC waits for the transaction lock meanwhile (~2-4 s for 1,000 here). */
  perTransaction?: number;
  progress?: (created: number, missing: number, ms: number) => void;
}

/** Creates the missing users of the set in the DC; the ones present are left alone. */
export function seedUsers(dc: Pick<SambaDc, 'dir'>, opts: SeedOptions): Promise<SeedResult> {
  const conf = path.join(dc.dir, 'dc', 'etc', 'smb.conf');
  const args = [SCRIPT, conf, opts.usersOu, opts.prefix, String(opts.width), String(opts.count), String(opts.perTransaction ?? 1000)];
  return new Promise((resolve, reject) => {
    // The DC itself runs without fsync (dev/stack/samba-domain.ts); its sam.ldb is written the same way.
    const child = spawn(sambaPython(), args, { env: { ...process.env, TDB_NO_FSYNC: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let result: Omit<SeedResult, 'sids'> | undefined;
    const sids = new Map<string, string>();
    let stderr = '';
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const parsed = lineSchema.parse(JSON.parse(line));
        if ('result' in parsed) result = parsed.result;
        else if ('user' in parsed) sids.set(parsed.user[0], parsed.user[1]);
        else opts.progress?.(parsed.created, parsed.missing, parsed.ms);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0 && result) resolve({ ...result, sids });
      else reject(new Error(`seeding users failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}
