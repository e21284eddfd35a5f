// The baseline for member throughput: OpenLDAP's ldapmodify writing the same member adds (same chunks, same
// `<SID=...>` values, same permissive-modify control) over LDAPS with certificate verification. The DC's
// certificate names DC1.writeback.test (no SAN for 127.0.0.1), so ldapmodify runs in its own mount
// namespace (`unshare -m`) with a bind-mounted hosts file mapping that name to the DC's address; the
// machine's /etc/hosts is never touched.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PERMISSIVE_MODIFY_OID } from '../relay/ldap/controls.js';

export interface LdapmodifyTarget {
  /** ldaps://127.0.0.1:636 */
  url: string;
  /** Name on the DC's certificate. */
  tlsServerName: string;
  caFile: string;
  bindDn: string;
  password: string;
}

/** RFC 2849 SAFE-STRING: ASCII without NUL, LF, CR; not starting with space, ':' or '<'; no trailing space. */
function isSafeString(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13 || c > 127) return false;
  }
  return !/^[ :<]/.test(value) && !value.endsWith(' ');
}

/** LDIF `attr: value`, base64 (`attr:: ...`) when the value is not a SAFE-STRING (RFC 2849), e.g. `<SID=...>`. */
export function ldifLine(attribute: string, value: string): string {
  const safe = value.length > 0 && isSafeString(value);
  return safe ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/** One modify record per chunk of `chunkSize` member adds, as the relay sends them. */
export function memberAddLdif(groupDn: string, values: readonly string[], chunkSize: number): string {
  const records: string[] = [];
  for (let i = 0; i < values.length; i += chunkSize) {
    const lines = [ldifLine('dn', groupDn), 'changetype: modify', 'add: member'];
    for (const value of values.slice(i, i + chunkSize)) lines.push(ldifLine('member', value));
    lines.push('-');
    records.push(lines.join('\n'));
  }
  return `${records.join('\n\n')}\n`;
}

export interface LdapmodifyRun {
  ms: number;
  stdout: string;
  stderr: string;
}

/** A scratch directory (mode 0700) holding the hosts file and the password file for ldapmodify. */
export class LdapmodifyRunner {
  private constructor(
    private readonly target: LdapmodifyTarget,
    private readonly dir: string,
    private readonly hostsFile: string,
    private readonly passwordFile: string,
  ) {}

  static async create(target: LdapmodifyTarget): Promise<LdapmodifyRunner> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'writeback-bench-ldapmodify-'));
    await chmod(dir, 0o700);
    const address = new URL(target.url).hostname.replace(/^\[(.*)\]$/, '$1');
    const hostsFile = path.join(dir, 'hosts');
    await writeFile(hostsFile, `127.0.0.1 localhost\n::1 localhost\n${address} ${target.tlsServerName}\n`);
    const passwordFile = path.join(dir, 'bind-password');
    // -y reads the password from a file: it never appears in the process list. No trailing newline.
    await writeFile(passwordFile, target.password, { mode: 0o600 });
    return new LdapmodifyRunner(target, dir, hostsFile, passwordFile);
  }

  /** Where LDIF files for this runner go. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** The ldaps:// URL by certificate name, keeping the target's port. */
  private urlByName(): string {
    const url = new URL(this.target.url);
    return `ldaps://${this.target.tlsServerName}${url.port ? `:${url.port}` : ''}`;
  }

  /** Runs ldapmodify on `ldifFile`; resolves with the wall time from spawn to exit, rejects on failure. */
  run(ldifFile: string): Promise<LdapmodifyRun> {
    const script = 'mount --bind "$1" /etc/hosts && exec ldapmodify -H "$2" -x -D "$3" -y "$4" -e "$5" -f "$6"';
    const args = [this.hostsFile, this.urlByName(), this.target.bindDn, this.passwordFile, PERMISSIVE_MODIFY_OID, ldifFile];
    // Root can create a mount namespace directly; otherwise a user namespace maps us to root inside it.
    const unshare = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
    const env = { ...process.env, LDAPTLS_CACERT: this.target.caFile, LDAPTLS_REQCERT: 'demand' };
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn('unshare', [...unshare, 'sh', '-c', script, 'sh', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-4000)));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
      child.once('error', reject);
      child.once('close', (code, signal) => {
        const ms = performance.now() - t0;
        if (code === 0) resolve({ ms, stdout, stderr });
        else reject(new Error(`ldapmodify failed (${signal ?? `exit ${code}`}): ${stderr.trim() || stdout.trim().slice(-500)}`));
      });
    });
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
