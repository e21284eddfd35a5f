// The big-group benchmark's own Samba AD DC: a copy of the test domain template (dev/stack/samba-domain.ts)
// kept in a fixed directory, so the hundreds of thousands of bench users seeded into it stay there across
// runs, and served on 127.0.0.2 (the shared test DC has 127.0.0.1): a 250,000-member write occupies this
// single-process DC for minutes without stalling other test runs, and their work does not inflate these
// figures. Users in it would also slow everyone's user adds on a shared DC (each add copies the growing
// objectClass index lists). Started for a benchmark, stopped after it unless --keep-dc; one benchmark at a
// time uses it. Rebuilt (users seeded again) when the template is re-provisioned. ensureTemplate provisions
// the template only when it is missing or stale, here without the shared DC's lock (a test run provisioning
// at the same moment would race it; a test DC started within the week leaves it fresh).
// Each modify of a big group rewrites its whole record (~20 MB at 250,000 members), and the freed space in
// the domain partition's TDB file fragments: after a few 250,000-member writes the file reached TDB's 4 GiB
// limit (`tdb_expand overflow detected` in the samba log, every write then an operations error) while it held
// ~2 GB of data. So before samba starts, a partition file over half the limit is compacted (tdbbackup).
// Deleting a 250,000-member group is no better: its removed member values stay on it as inactive links (kept
// for replication), and the delete of the emptied group then ran for minutes. So the DC keeps a seed: a copy
// of its private directory (the directory databases) taken with samba stopped, after the bench users were
// created and before any benchmark group was written. Each start of samba begins from the seed, and a
// benchmark that needs a clean directory between runs restores it (stop, copy, start: well under a minute)
// instead of deleting what it wrote.
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { z } from 'zod';
import { connectLdap } from '../relay/ldap/connect.js';
import type { SambaDc } from '../dev/stack/samba.js';
import { sambaStateDir } from '../dev/stack/samba.js';
import { isProcessAlive, processName, terminate } from '../dev/stack/processes.js';
import { DOMAIN, ensureTemplate, findExecutable, requireSambaTools, spawnSamba, tailOfFile } from '../dev/stack/samba-domain.js';
import { sleep } from '../shared/timers.js';

/** Loopback address of the bench DC; the whole 127/8 is local on Linux, Samba binds it with `interfaces`. */
export const BENCH_DC_ADDRESS = '127.0.0.2';

const stateSchema = z
  .object({
    templateCreatedAt: z.number(),
    adminPassword: z.string(),
    /** The running samba process, when one was started and not stopped. */
    pid: z.number().int().nullable(),
  })
  .strict();
type BenchDcState = z.infer<typeof stateSchema>;

function benchDcDir(): string {
  return path.join(sambaStateDir(), 'bench-dc');
}

const files = () => {
  const dir = benchDcDir();
  const dcDir = path.join(dir, 'dc');
  return {
    dir,
    stateFile: path.join(dir, 'state.json'),
    confFile: path.join(dcDir, 'etc', 'smb.conf'),
    logFile: path.join(dcDir, 'log', 'samba.log'),
    outFile: path.join(dir, 'samba.out'),
    caFile: path.join(dcDir, 'private', 'tls', 'ca.pem'),
  };
};

async function readState(): Promise<BenchDcState | undefined> {
  try {
    return stateSchema.parse(JSON.parse(await readFile(files().stateFile, 'utf8')));
  } catch {
    return undefined;
  }
}

async function writeState(state: BenchDcState): Promise<void> {
  await writeFile(files().stateFile, JSON.stringify(state), { mode: 0o600 });
}

const seedSchema = z.object({ templateCreatedAt: z.number(), users: z.number().int().nonnegative() }).strict();

const seedFiles = () => {
  const dir = path.join(benchDcDir(), 'seed');
  return { dir, privateDir: path.join(dir, 'private'), metaFile: path.join(dir, 'seed.json') };
};

const privateDir = (): string => path.join(path.dirname(path.dirname(files().confFile)), 'private');

/** The seed's user count, if a seed of the current template is there. */
export async function benchDcSeedUsers(): Promise<number | undefined> {
  const state = await readState();
  try {
    const seed = seedSchema.parse(JSON.parse(await readFile(seedFiles().metaFile, 'utf8')));
    return state && seed.templateCreatedAt === state.templateCreatedAt ? seed.users : undefined;
  } catch {
    return undefined;
  }
}

/** `cp -a` keeps modes and owners; --sparse=always keeps the TDB files' holes. */
async function copyTree(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await promisify(execFile)('cp', ['-a', '--sparse=always', from, to], { timeout: 10 * 60_000 });
}

/** Half of TDB's 4 GiB file limit: room for a few more 250,000-member writes. */
const COMPACT_ABOVE_BYTES = 2 * 1024 ** 3;

/** Compacts the partition files over COMPACT_ABOVE_BYTES; samba must not be running. */
async function compactPartitions(progress: (line: string) => void, aboveBytes = COMPACT_ABOVE_BYTES): Promise<void> {
  const dir = path.join(privateDir(), 'sam.ldb.d');
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.ldb'))) {
    const file = path.join(dir, name);
    const before = (await stat(file)).size;
    if (before <= aboveBytes) continue;
    const tdbbackup = findExecutable('tdbbackup');
    if (!tdbbackup) {
      progress(`bench DC: ${name} holds ${(before / 1024 ** 3).toFixed(1)} GiB of TDB's 4 GiB and tdbbackup (tdb-tools) is missing to compact it`);
      return;
    }
    // tdbbackup copies the records into `${file}.compact`, leaving the free space behind.
    await rm(`${file}.compact`, { force: true });
    await promisify(execFile)(tdbbackup, ['-s', '.compact', file], { timeout: 10 * 60_000 });
    await rename(`${file}.compact`, file);
    progress(`bench DC: ${name} compacted from ${(before / 1024 ** 3).toFixed(2)} to ${((await stat(file)).size / 1024 ** 3).toFixed(2)} GiB`);
  }
}

const isSamba = (pid: number | null): pid is number => pid !== null && isProcessAlive(pid) && processName(pid) === 'samba';

/** A fresh copy of the template, its smb.conf pointed at the copy and at the bench address. */
async function rebuild(template: Awaited<ReturnType<typeof ensureTemplate>>): Promise<BenchDcState> {
  const f = files();
  await rm(f.dir, { recursive: true, force: true });
  await mkdir(f.dir, { recursive: true, mode: 0o700 });
  const dcDir = path.dirname(path.dirname(f.confFile));
  await cp(template.dcDir, dcDir, { recursive: true, preserveTimestamps: true });
  const conf = (await readFile(f.confFile, 'utf8')).replaceAll(template.provisionedDir, dcDir).replace(/^(\s*interfaces\s*=).*$/m, `$1 ${BENCH_DC_ADDRESS}/8`);
  await writeFile(f.confFile, conf);
  await mkdir(path.join(dcDir, 'run'), { recursive: true, mode: 0o755 });
  await mkdir(path.join(dcDir, 'log'), { recursive: true, mode: 0o755 });
  const state = { templateCreatedAt: template.createdAt, adminPassword: template.adminPassword, pid: null };
  await writeState(state);
  return state;
}

function toDc(state: BenchDcState & { pid: number }, caPem: string, startedByThisProcess: boolean): SambaDc {
  const f = files();
  return {
    url: `ldaps://${BENCH_DC_ADDRESS}:636`,
    tlsServerName: DOMAIN.tlsServerName,
    caFile: f.caFile,
    caPem,
    baseDn: DOMAIN.baseDn,
    realm: DOMAIN.realm,
    dnsDomain: DOMAIN.dnsDomain,
    netbiosDomain: DOMAIN.netbiosDomain,
    adminBindDn: DOMAIN.adminBindDn,
    adminUpn: DOMAIN.adminUpn,
    adminPassword: state.adminPassword,
    pid: state.pid,
    dir: f.dir,
    logFile: f.logFile,
    startedByThisProcess,
  };
}

async function waitForLdaps(state: BenchDcState, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let problem = 'not probed';
  while (Date.now() < deadline) {
    try {
      const caPem = await readFile(files().caFile, 'utf8');
      const client = await connectLdap({ url: `ldaps://${BENCH_DC_ADDRESS}:636`, tlsServerName: DOMAIN.tlsServerName, caPem, bindDn: DOMAIN.adminBindDn, password: state.adminPassword, timeoutMs: 5_000 });
      await client.unbind();
      return caPem;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (!isSamba(state.pid)) break;
    await sleep(250);
  }
  throw new Error(`the bench DC did not answer on ${BENCH_DC_ADDRESS}:636 (${problem}); samba log:\n${await tailOfFile(files().logFile)}`);
}

/** Attaches to the running bench DC or starts it (building it from the template first when needed); a started
 *  DC begins from its seed when it has one. */
export async function ensureBenchDc(progress: (line: string) => void = () => undefined): Promise<SambaDc> {
  const tools = requireSambaTools();
  const template = await ensureTemplate(sambaStateDir(), tools, () => undefined);
  let state = await readState();
  if (state && isSamba(state.pid)) {
    const caPem = await waitForLdaps(state, 30_000);
    return toDc({ ...state, pid: state.pid }, caPem, false);
  }
  if (!state || state.templateCreatedAt !== template.createdAt) state = await rebuild(template);
  else if ((await benchDcSeedUsers()) !== undefined) await restoreSeedFiles(progress);
  else await compactPartitions(progress);
  return startSamba(state);
}

async function startSamba(state: BenchDcState): Promise<SambaDc> {
  const f = files();
  const samba = spawnSamba(requireSambaTools(), { dir: f.dir, confFile: f.confFile, logFile: f.logFile, outFile: f.outFile, caFile: f.caFile });
  const started = { ...state, pid: samba.pid };
  await writeState(started);
  const caPem = await waitForLdaps(started, 120_000);
  return toDc(started, caPem, true);
}

async function restoreSeedFiles(progress: (line: string) => void): Promise<void> {
  const t0 = Date.now();
  await copyTree(seedFiles().privateDir, privateDir());
  progress(`bench DC: directory restored from its seed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Stops samba, compacts the directory, copies it as the seed (`users` bench users in it) and starts samba again. */
export async function saveBenchDcSeed(dc: Pick<SambaDc, 'pid'>, users: number, progress: (line: string) => void): Promise<SambaDc> {
  const state = await stoppedState(dc);
  await compactPartitions(progress, 0);
  const seed = seedFiles();
  await rm(seed.dir, { recursive: true, force: true });
  await mkdir(seed.dir, { recursive: true, mode: 0o700 });
  const t0 = Date.now();
  await copyTree(privateDir(), seed.privateDir);
  // The meta file last: a seed without it (an interrupted copy) is not used.
  await writeFile(seed.metaFile, JSON.stringify({ templateCreatedAt: state.templateCreatedAt, users }));
  progress(`bench DC: seed saved (${users.toLocaleString('en-US')} bench users) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return startSamba(state);
}

/** Stops samba, puts the seed's directory back and starts samba: the DC as it was before any benchmark wrote to it. */
export async function restoreBenchDcSeed(dc: Pick<SambaDc, 'pid'>, progress: (line: string) => void): Promise<SambaDc> {
  if ((await benchDcSeedUsers()) === undefined) throw new Error('the bench DC has no seed to restore (saveBenchDcSeed)');
  const state = await stoppedState(dc);
  await restoreSeedFiles(progress);
  return startSamba(state);
}

async function stoppedState(dc: Pick<SambaDc, 'pid'>): Promise<BenchDcState> {
  await stopBenchDc(dc);
  const state = await readState();
  if (!state) throw new Error('the bench DC has no state file');
  return state;
}

/** Stops the bench DC's samba process by its pid; the directory (and the users in it) stay. */
export async function stopBenchDc(dc: Pick<SambaDc, 'pid'>): Promise<void> {
  if (isSamba(dc.pid)) await terminate(dc.pid);
  const state = await readState();
  if (state) await writeState({ ...state, pid: null });
}
