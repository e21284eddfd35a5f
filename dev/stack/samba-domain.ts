// The test domain's fixed names, and how a Samba AD DC for it is provisioned and started.
// Provisioning (~5 s of Python, then the Exchange recipient attributes of exchange-schema.ldif added to the
// schema) is done once into a template that each new DC copies; the copy is started bound to loopback only,
// with just the LDAP service, and logs into its own directory.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, openSync, closeSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { exchangeSchemaCommand } from './exchange-schema.js';

export const DOMAIN = {
  realm: 'WRITEBACK.TEST',
  dnsDomain: 'writeback.test',
  netbiosDomain: 'WRITEBACK',
  hostName: 'dc1',
  baseDn: 'DC=writeback,DC=test',
  /** Samba's self-generated certificate names the DC by its FQDN (CN only, no SAN). */
  tlsServerName: 'DC1.writeback.test',
  adminBindDn: 'CN=Administrator,CN=Users,DC=writeback,DC=test',
  adminUpn: 'Administrator@writeback.test',
  ldapsUrl: 'ldaps://127.0.0.1:636',
  ports: [389, 636] as const,
} as const;

/** Name prefix of every DC directory; only directories with it are ever removed. */
export const DC_DIR_PREFIX = 'group-writeback-samba-dc-';
const TEMPLATE_MAX_AGE_MS = 7 * 24 * 3600_000;

export class SambaSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SambaSetupError';
  }
}

const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin'];

/** Finds an executable on PATH or in the sbin directories (a non-login root PATH may lack /usr/sbin). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface SambaTools {
  samba: string;
  sambaTool: string;
}

export function requireSambaTools(): SambaTools {
  const samba = findExecutable('samba');
  const sambaTool = findExecutable('samba-tool');
  if (!samba || !sambaTool) {
    throw new SambaSetupError(
      `Samba AD DC is not installed (${!samba ? 'samba' : 'samba-tool'} not found): run scripts/bootstrap.sh as root first`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new SambaSetupError('a Samba AD DC must run as root; run the tests as root (as on the dev and CI machines)');
  }
  return { samba, sambaTool };
}

function run(file: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, TDB_NO_FSYNC: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

export async function sambaVersion(tools: SambaTools): Promise<string> {
  const { output } = await run(tools.samba, ['--version'], 10_000);
  return output.trim().replace(/^Version\s+/, '');
}

export function tail(text: string, lines = 25): string {
  return text.split('\n').slice(-lines).join('\n');
}

export async function tailOfFile(file: string, lines = 25): Promise<string> {
  try {
    return tail(await readFile(file, 'utf8'), lines);
  } catch {
    return `(no ${file})`;
  }
}

const templateSchema = z.object({
  version: z.literal(1),
  /** Set once the Exchange recipient attributes are in the template's schema (exchange-schema.ldif). Optional, so
   *  that code from before the extension still reads a new template (extra schema attributes change nothing
   *  for it), and a template without it is provisioned again. */
  exchangeSchema: z.literal(true).optional(),
  sambaVersion: z.string(),
  /** The --targetdir the template was provisioned into; smb.conf names it and is rewritten per copy. */
  provisionedDir: z.string(),
  adminPassword: z.string(),
  createdAt: z.number(),
});
export type DomainTemplate = z.infer<typeof templateSchema> & { dcDir: string };

function smbOptions(targetDir: string): string[] {
  const options: Record<string, string> = {
    interfaces: 'lo',
    'bind interfaces only': 'yes',
    // LDAP is all the tests and the relay use; no smbd, winbindd, kdc, dns: faster start, less CPU.
    'server services': 'ldap',
    'pid directory': `${targetDir}/run`,
    'ncalrpc dir': `${targetDir}/run/ncalrpc`,
    'winbindd socket directory': `${targetDir}/run/winbindd`,
    'ntp signd socket directory': `${targetDir}/run/ntp_signd`,
    'log file': `${targetDir}/log/samba.log`,
    logging: 'file',
    'log level': '1',
    'max log size': '10000',
  };
  return Object.entries(options).map(([k, v]) => `--option=${k}=${v}`);
}

/** A password that meets AD's default complexity rules, random per template. */
function newAdminPassword(): string {
  return `Wb-${randomBytes(18).toString('base64url')}-9a`;
}

async function readTemplate(dir: string): Promise<DomainTemplate | undefined> {
  try {
    const parsed = templateSchema.parse(JSON.parse(await readFile(path.join(dir, 'template.json'), 'utf8')));
    await stat(path.join(dir, 'dc', 'etc', 'smb.conf'));
    return { ...parsed, dcDir: path.join(dir, 'dc') };
  } catch {
    return undefined;
  }
}

/**
 * Returns a provisioned, never-started domain to copy from, provisioning it first when missing, built by
 * another Samba version, or older than a week. The caller holds the stack lock.
 */
export async function ensureTemplate(
  stateDir: string,
  tools: SambaTools,
  onProvision: (dir: string) => void,
): Promise<DomainTemplate> {
  const templateDir = path.join(stateDir, 'template');
  const version = await sambaVersion(tools);
  const existing = await readTemplate(templateDir);
  if (
    existing?.exchangeSchema === true &&
    existing.sambaVersion === version &&
    Date.now() - existing.createdAt < TEMPLATE_MAX_AGE_MS
  ) {
    return existing;
  }
  const work = await mkdtemp(path.join(stateDir, 'template-new-'));
  const targetDir = path.join(work, 'dc');
  onProvision(targetDir);
  const adminPassword = newAdminPassword();
  // The admin password is on samba-tool's command line for a few seconds: acceptable for a loopback-only
  // throwaway test domain; it is never logged.
  const { code, output } = await run(
    tools.sambaTool,
    [
      'domain',
      'provision',
      `--targetdir=${targetDir}`,
      `--realm=${DOMAIN.realm}`,
      `--domain=${DOMAIN.netbiosDomain}`,
      '--server-role=dc',
      '--dns-backend=NONE',
      '--use-rfc2307',
      `--adminpass=${adminPassword}`,
      `--host-name=${DOMAIN.hostName}`,
      ...smbOptions(targetDir),
    ],
    300_000,
  );
  await writeFile(path.join(work, 'provision.log'), output);
  if (code !== 0) {
    await rm(work, { recursive: true, force: true });
    throw new SambaSetupError(`samba-tool domain provision failed (exit ${code}):\n${tail(output)}`);
  }
  const extend = await exchangeSchemaCommand(tools.sambaTool, targetDir);
  const schema = await run(extend.file, extend.args, 120_000);
  await writeFile(path.join(work, 'exchange-schema.log'), schema.output);
  if (schema.code !== 0) {
    await rm(work, { recursive: true, force: true });
    throw new SambaSetupError(`extending the schema (exchange-schema.ldif) failed (exit ${schema.code}):\n${tail(schema.output)}`);
  }
  const template = {
    version: 1 as const,
    exchangeSchema: true as const,
    sambaVersion: version,
    provisionedDir: targetDir,
    adminPassword,
    createdAt: Date.now(),
  };
  await writeFile(path.join(work, 'template.json'), JSON.stringify(template), { mode: 0o600 });
  await rm(templateDir, { recursive: true, force: true });
  await rename(work, templateDir);
  return { ...template, dcDir: path.join(templateDir, 'dc') };
}

export interface DcFiles {
  /** The DC's own temp directory (removed on stop). */
  dir: string;
  confFile: string;
  logFile: string;
  outFile: string;
  caFile: string;
}

/** Copies the template into a new temp directory and points its smb.conf there. */
export async function instantiate(template: DomainTemplate): Promise<DcFiles> {
  const dir = await mkdtemp(path.join(tmpdir(), DC_DIR_PREFIX));
  const dcDir = path.join(dir, 'dc');
  await cp(template.dcDir, dcDir, { recursive: true, preserveTimestamps: true });
  const confFile = path.join(dcDir, 'etc', 'smb.conf');
  const conf = await readFile(confFile, 'utf8');
  await writeFile(confFile, conf.replaceAll(template.provisionedDir, dcDir));
  await mkdir(path.join(dcDir, 'run'), { recursive: true, mode: 0o755 });
  await mkdir(path.join(dcDir, 'log'), { recursive: true, mode: 0o755 });
  return {
    dir,
    confFile,
    logFile: path.join(dcDir, 'log', 'samba.log'),
    outFile: path.join(dir, 'samba.out'),
    caFile: path.join(dcDir, 'private', 'tls', 'ca.pem'),
  };
}

export interface SpawnedSamba {
  pid: number;
  /** Set once the process has exited (exit code or signal). */
  exited: () => string | undefined;
}

/** Starts `samba` in the foreground of its own session (so it outlives this process), single process model. */
export function spawnSamba(tools: SambaTools, files: DcFiles): SpawnedSamba {
  const out = openSync(files.outFile, 'a');
  try {
    const child = spawn(tools.samba, ['-s', files.confFile, '--foreground', '--model=single'], {
      detached: true,
      stdio: ['ignore', out, out],
      // A throwaway test domain needs no durability: without an fsync per transaction Samba writes many
      // times faster (Samba's own selftest runs this way).
      env: { ...process.env, TDB_NO_FSYNC: '1' },
    });
    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    child.once('error', (error) => {
      exit = `spawn error: ${error.message}`;
    });
    child.unref();
    if (child.pid === undefined) throw new SambaSetupError(`could not start ${tools.samba}`);
    return { pid: child.pid, exited: () => exit };
  } finally {
    closeSync(out);
  }
}

/** Removes a DC directory, refusing anything that is not one of ours. */
export async function removeDcDir(dir: string): Promise<void> {
  if (!path.basename(dir).startsWith(DC_DIR_PREFIX) || !path.isAbsolute(dir)) {
    throw new SambaSetupError(`refusing to remove ${dir}: not a DC directory`);
  }
  await rm(dir, { recursive: true, force: true });
}
