// The local Samba AD DC: one per machine (fixed ports 389/636 on 127.0.0.1), shared by every test process
// and dev tool. ensureSambaDc() attaches to the running DC recorded in the state file, or starts a fresh
// one; a lock file serialises concurrent starters, so the second one waits and attaches.
import { readFile } from 'node:fs/promises';
import { peerUserId, registerPeerUser, releasePeer, releasePeerAfterCleanUp, type SharedPeer } from './peer-users.js';
import { PeerStateFiles } from './peer-state.js';
import { z } from 'zod';
import { Attribute, Change, type Client } from 'ldapts';
import { connectLdap } from '../../relay/ldap/connect.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { isPortOpen, isProcessAlive, portOwner, processName, terminate } from './processes.js';
import {
  DOMAIN,
  SambaSetupError,
  ensureTemplate,
  instantiate,
  removeDcDir,
  requireSambaTools,
  spawnSamba,
  tailOfFile,
  type DcFiles,
} from './samba-domain.js';
import { sleep } from '../../shared/timers.js';

export { SambaSetupError } from './samba-domain.js';

export interface SambaDc {
  url: string;
  tlsServerName: string;
  caFile: string;
  caPem: string;
  baseDn: string;
  realm: string;
  dnsDomain: string;
  netbiosDomain: string;
  adminBindDn: string;
  adminUpn: string;
  adminPassword: string;
  pid: number;
  /** The DC's temp directory (provisioned domain, TLS keys, logs). */
  dir: string;
  logFile: string;
  /** True when this process started the DC (false when it attached to a running one). */
  startedByThisProcess: boolean;
  /** The peer user (test run, or process-<pid>) that started it; the last user out stops it. */
  startedByRun?: string;
}

const stateSchema = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  dir: z.string(),
  logFile: z.string(),
  caFile: z.string(),
  url: z.string(),
  tlsServerName: z.string(),
  baseDn: z.string(),
  realm: z.string(),
  dnsDomain: z.string(),
  netbiosDomain: z.string(),
  adminBindDn: z.string(),
  adminUpn: z.string(),
  adminPassword: z.string(),
  startedAt: z.string(),
  startedByPid: z.number().int(),
  startedByRun: z.string().optional(),
  /** Left running by `--keep`: never stopped by a test run's teardown. */
  keep: z.boolean(),
});
type DcState = z.infer<typeof stateSchema>;

/** Where the state file, lock, run registrations and domain template live (fixed: shared by all processes). */
export function sambaStateDir(): string {
  return process.env['WRITEBACK_SAMBA_STATE_DIR'] ?? '/tmp/group-writeback-samba';
}

function envMs(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function dcFiles(): PeerStateFiles<DcState> {
  return new PeerStateFiles(sambaStateDir(), stateSchema, { timeoutMs: envMs('WRITEBACK_SAMBA_LOCK_TIMEOUT_MS', 240_000) });
}

async function toDc(state: DcState): Promise<SambaDc> {
  return {
    url: state.url,
    tlsServerName: state.tlsServerName,
    caFile: state.caFile,
    caPem: await readFile(state.caFile, 'utf8'),
    baseDn: state.baseDn,
    realm: state.realm,
    dnsDomain: state.dnsDomain,
    netbiosDomain: state.netbiosDomain,
    adminBindDn: state.adminBindDn,
    adminUpn: state.adminUpn,
    adminPassword: state.adminPassword,
    pid: state.pid,
    dir: state.dir,
    logFile: state.logFile,
    startedByThisProcess: state.startedByPid === process.pid,
    ...(state.startedByRun === undefined ? {} : { startedByRun: state.startedByRun }),
  };
}

function isOurSamba(pid: number): boolean {
  return isProcessAlive(pid) && processName(pid) === 'samba';
}

/** Binds as the admin over verified LDAPS; returns the error text when the DC does not answer. */
async function probeLdaps(conn: {
  url: string;
  tlsServerName: string;
  caFile: string;
  adminBindDn: string;
  adminPassword: string;
}): Promise<string | undefined> {
  let client: Client | undefined;
  try {
    const caPem = await readFile(conn.caFile, 'utf8');
    client = await connectLdap({
      url: conn.url,
      tlsServerName: conn.tlsServerName,
      caPem,
      bindDn: conn.adminBindDn,
      password: conn.adminPassword,
      timeoutMs: 5_000,
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client?.unbind().catch(() => undefined);
  }
}



export interface EnsureSambaDcOptions {
  log?: Logger;
  /** Mark the DC as kept: test-run teardown leaves it running (dev use, `--keep`). */
  keep?: boolean;
}

/**
 * Attaches to the machine's running DC, or provisions and starts one (bound to loopback) and waits until
 * LDAPS answers. Installs nothing: Samba comes from scripts/bootstrap.sh.
 */
export async function ensureSambaDc(opts: EnsureSambaDcOptions = {}): Promise<SambaDc> {
  const log = opts.log ?? silentLogger();
  const files = dcFiles();
  const t0 = Date.now();
  return files.locked(
    async () => {
      let state = await files.read();
      if (state && isOurSamba(state.pid)) {
        const problem = await waitForLdaps(state, envMs('WRITEBACK_SAMBA_ATTACH_TIMEOUT_MS', 30_000), () => undefined);
        if (problem !== undefined) {
          throw new SambaSetupError(
            `the Samba DC pid ${state.pid} recorded in ${files.stateFile} is running but LDAPS does not answer (${problem}). ` +
              `Stop it (kill ${state.pid}) and remove ${state.dir} and ${files.stateFile}.\n` +
              `samba log tail:\n${await tailOfFile(state.logFile)}`,
          );
        }
        if (opts.keep && !state.keep) await files.write((state = { ...state, keep: true }));
        await registerPeerUser(files.runsDir);
        log.info({ pid: state.pid, ms: Date.now() - t0 }, 'attached to running Samba AD DC');
        return toDc(state);
      }
      if (state) {
        log.warn({ pid: state.pid, dir: state.dir }, 'Samba DC in the state file is gone; cleaning up');
        await removeDcDir(state.dir).catch(() => undefined);
        await files.forget();
      }
      state = await startFresh(files, opts.keep ?? false, log);
      await files.write(state);
      await registerPeerUser(files.runsDir);
      log.info({ pid: state.pid, ms: Date.now() - t0, dir: state.dir }, 'started Samba AD DC');
      return toDc(state);
    },
    (pid) => log.info({ holderPid: pid }, 'another process is starting the Samba DC; waiting'),
  );
}

async function waitForLdaps(
  conn: Parameters<typeof probeLdaps>[0],
  timeoutMs: number,
  exited: () => string | undefined,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let problem: string | undefined = 'not probed';
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit !== undefined) return `samba exited (${exit})`;
    problem = await probeLdaps(conn);
    if (problem === undefined) return undefined;
    await sleep(200);
  }
  return problem;
}

async function assertPortsFree(statePath: string): Promise<void> {
  for (const port of DOMAIN.ports) {
    if (await isPortOpen(port)) {
      const owner = (await portOwner(port)) ?? 'an unknown process';
      throw new SambaSetupError(
        `port ${port} on 127.0.0.1 is already in use by ${owner}, which is not a DC this project started ` +
          `(no live one in ${statePath}). Stop that process (the DC needs ports ${DOMAIN.ports.join(' and ')}), then retry.`,
      );
    }
  }
}

async function startFresh(peerFiles: PeerStateFiles<DcState>, keep: boolean, log: Logger): Promise<DcState> {
  const tools = requireSambaTools();
  await assertPortsFree(peerFiles.stateFile);
  const t0 = Date.now();
  const template = await ensureTemplate(peerFiles.dir, tools, (dir) => log.info({ dir }, 'provisioning the test domain template'));
  const files = await instantiate(template);
  const tCopied = Date.now();
  const samba = spawnSamba(tools, files);
  const conn = {
    url: DOMAIN.ldapsUrl,
    tlsServerName: DOMAIN.tlsServerName,
    caFile: files.caFile,
    adminBindDn: DOMAIN.adminBindDn,
    adminPassword: template.adminPassword,
  };
  const timeoutMs = envMs('WRITEBACK_SAMBA_START_TIMEOUT_MS', 90_000);
  const problem = await waitForLdaps(conn, timeoutMs, samba.exited);
  if (problem !== undefined) {
    await stopProcessAndFiles(samba.pid, files);
    throw new SambaSetupError(
      `Samba AD DC did not answer on ${DOMAIN.ldapsUrl} within ${timeoutMs} ms (${problem}).\n` +
        `samba log tail (${files.logFile}):\n${await tailOfFile(files.logFile)}\n${await tailOfFile(files.outFile, 10)}`,
    );
  }
  log.info({ provisionMs: tCopied - t0, startMs: Date.now() - tCopied }, 'Samba AD DC answers on LDAPS');
  const runId = peerUserId();
  const state: DcState = {
    version: 1,
    pid: samba.pid,
    dir: files.dir,
    logFile: files.logFile,
    ...conn,
    baseDn: DOMAIN.baseDn,
    realm: DOMAIN.realm,
    dnsDomain: DOMAIN.dnsDomain,
    netbiosDomain: DOMAIN.netbiosDomain,
    adminUpn: DOMAIN.adminUpn,
    startedAt: new Date().toISOString(),
    startedByPid: process.pid,
    ...(runId ? { startedByRun: runId } : {}),
    keep,
  };
  try {
    await relaxPasswordPolicy(state);
  } catch (error) {
    await stopProcessAndFiles(samba.pid, files);
    throw error;
  }
  return state;
}

/** Test domain only: no complexity, history, minimum length or expiry, so tests can set simple passwords. */
async function relaxPasswordPolicy(state: DcState): Promise<void> {
  const client = await connectLdap({
    url: state.url,
    tlsServerName: state.tlsServerName,
    caPem: await readFile(state.caFile, 'utf8'),
    bindDn: state.adminBindDn,
    password: state.adminPassword,
  });
  try {
    const set = (type: string, value: string) =>
      new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });
    await client.modify(state.baseDn, [
      set('pwdProperties', '0'),
      set('pwdHistoryLength', '0'),
      set('minPwdLength', '0'),
      set('minPwdAge', '0'),
      set('maxPwdAge', '-9223372036854775808'),
    ]);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function stopProcessAndFiles(pid: number, files: Pick<DcFiles, 'dir'>): Promise<void> {
  if (isOurSamba(pid)) await terminate(pid);
  await removeDcDir(files.dir);
}

async function stopUnlocked(dc: Pick<SambaDc, 'pid' | 'dir'>, files: PeerStateFiles<DcState>, log: Logger): Promise<void> {
  if (isProcessAlive(dc.pid) && processName(dc.pid) !== 'samba') {
    throw new SambaSetupError(`pid ${dc.pid} is not a samba process any more; not killing it`);
  }
  await terminate(dc.pid);
  await removeDcDir(dc.dir);
  await files.forget(dc.pid);
  log.info({ pid: dc.pid }, 'stopped Samba AD DC');
}

/** Stops the DC by its own pid (SIGTERM, SIGKILL after a grace period) and removes its directory and state. */
export async function stopSambaDc(dc: Pick<SambaDc, 'pid' | 'dir'>, opts: { log?: Logger } = {}): Promise<void> {
  const files = dcFiles();
  await files.locked(() => stopUnlocked(dc, files, opts.log ?? silentLogger()));
}

function sharedDc(log: Logger): SharedPeer<DcState> {
  const files = dcFiles();
  return { name: 'Samba DC', files, stop: (state) => stopUnlocked(state, files, log) };
}

/**
 * Test-run teardown. Unregisters the run; stops the DC when a test run started it (not `--keep`, not a dev
 * script) and no other live test run still uses it. So the run that started it stops it, unless another run
 * attached meanwhile: then the last of them does. Returns true when it stopped the DC.
 */
export function stopSambaDcIfStartedByRun(runId: string, opts: { log?: Logger } = {}): Promise<boolean> {
  const log = opts.log ?? silentLogger();
  return releasePeer(sharedDc(log), runId, log);
}

/** As stopSambaDcIfStartedByRun for a user with objects of its own in the DC: `cleanUp` removes them first,
 *  unless this user stops the DC (peer-users.ts releasePeerAfterCleanUp). True when it stopped the DC. */
export function releaseSambaDcAfterCleanUp(runId: string, cleanUp: () => Promise<void>, opts: { log?: Logger } = {}): Promise<boolean> {
  const log = opts.log ?? silentLogger();
  return releasePeerAfterCleanUp(sharedDc(log), runId, log, cleanUp);
}

/** How to reach a running DC, for a person (`--keep`). Names the file holding the password, not the password. */
export function describeSambaDc(dc: SambaDc): string {
  return [
    `Samba AD DC running (pid ${dc.pid}, directory ${dc.dir})`,
    `  LDAPS      ${dc.url}   TLS server name ${dc.tlsServerName}, CA ${dc.caFile}`,
    `  domain     ${dc.baseDn}   realm ${dc.realm}, NetBIOS ${dc.netbiosDomain}`,
    `  admin      ${dc.adminUpn}  (${dc.adminBindDn})`,
    `  password   "adminPassword" in ${dcFiles().stateFile} (mode 0600)`,
    `  log        ${dc.logFile}`,
    `  stop       kill ${dc.pid}; rm -rf ${dc.dir} ${dcFiles().stateFile}`,
  ].join('\n');
}

/** For a CLI: start or attach, keep it running after this process ends, print how to reach it. */
export async function keepSambaDc(opts: { log?: Logger; print?: (text: string) => void } = {}): Promise<SambaDc> {
  const dc = await ensureSambaDc({ keep: true, ...(opts.log ? { log: opts.log } : {}) });
  (opts.print ?? console.log)(describeSambaDc(dc));
  return dc;
}
