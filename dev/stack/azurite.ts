// Azurite's Table service for the local stack and tests: one per machine, on 127.0.0.1 with a free port,
// in-memory. ensureAzurite() attaches to the instance recorded in the state file (pid alive, answering)
// or starts one; a lock file serialises concurrent starters. A test run's teardown stops it only if that
// run started it and no other live run uses it.
import { spawn } from 'node:child_process';
import { peerUserId, registerPeerUser, releasePeer } from './peer-users.js';
import { closeSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { PeerStateFiles } from './peer-state.js';
import { isProcessAlive, terminate } from './processes.js';
import { sleep } from '../../shared/timers.js';

export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
/** Azurite's well-known development key (public, documented; not a secret). */
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  tableEndpoint: string;
  accountName: string;
  accountKey: string;
  connectionString: string;
  pid: number;
  startedByThisProcess: boolean;
  /** The peer user (test run, or process-<pid>) that started it; the last user out stops it. */
  startedByRun?: string;
  /** Stops this Azurite (by its pid) and forgets it. */
  stop(): Promise<void>;
}

export interface EnsureAzuriteOptions {
  log?: Logger;
  /** Leave it running for later processes: never stopped by a test run's teardown. */
  keep?: boolean;
}

const stateSchema = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  logFile: z.string(),
  startedAt: z.string(),
  startedByPid: z.number().int(),
  startedByRun: z.string().optional(),
  keep: z.boolean(),
});
type AzuriteState = z.infer<typeof stateSchema>;

export function azuriteStateDir(): string {
  return process.env['WRITEBACK_AZURITE_STATE_DIR'] ?? '/tmp/group-writeback-azurite';
}

function azuriteFiles(): PeerStateFiles<AzuriteState> {
  return new PeerStateFiles(azuriteStateDir(), stateSchema, { timeoutMs: 60_000, staleAfterMs: 2 * 60_000 });
}

export function tableEndpointFor(port: number): string {
  return `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`;
}

export function azuriteConnectionString(tableEndpoint: string): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `TableEndpoint=${tableEndpoint};`
  );
}

/** The pid is alive and is an Azurite (not a reused pid). */
function isOurAzurite(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('azurite');
  } catch {
    return false;
  }
}

/** Any HTTP answer from the Table endpoint means Azurite is serving (unauthenticated calls get 403). */
function answers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${tableEndpointFor(port)}/Tables`, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function azuriteTableMain(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/table/main.js');
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function startFresh(stateDir: string, keep: boolean, log: Logger): Promise<AzuriteState> {
  const logFile = path.join(stateDir, 'azurite.log');
  // The free port may be taken between probing and Azurite binding it: then try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const out = openSync(logFile, 'w', 0o600);
    const child = spawn(
      process.execPath,
      [
        azuriteTableMain(),
        '--tableHost', '127.0.0.1',
        '--tablePort', String(port),
        '--inMemoryPersistence',
        '--skipApiVersionCheck',
        '--loose',
        '--disableTelemetry',
        '--silent',
      ],
      // Detached: it outlives the test worker that started it; the run's teardown stops it.
      { cwd: stateDir, detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `code ${code ?? '-'}, signal ${signal ?? '-'}`));
    child.once('error', (error) => (exited = error.message));
    child.unref();
    const deadline = Date.now() + 30_000;
    while (exited === undefined && Date.now() < deadline && !(await answers(port))) await sleep(50);
    if (exited === undefined && child.pid !== undefined && (await answers(port))) {
      const runId = peerUserId();
      return {
        version: 1,
        pid: child.pid,
        port,
        logFile,
        startedAt: new Date().toISOString(),
        startedByPid: process.pid,
        ...(runId ? { startedByRun: runId } : {}),
        keep,
      };
    }
    if (child.pid !== undefined && exited === undefined) await terminate(child.pid, 2000);
    const why = exited ?? 'no answer within 30 s';
    if (attempt < 3 && tail(logFile).includes('EADDRINUSE')) {
      log.warn({ port }, 'port taken before Azurite bound it; trying another');
      continue;
    }
    throw new Error(`Azurite did not start on port ${port} (${why}). Log tail (${logFile}):\n${tail(logFile)}`);
  }
}



async function stopUnlocked(state: AzuriteState, files: PeerStateFiles<AzuriteState>, log: Logger): Promise<void> {
  if (isOurAzurite(state.pid)) await terminate(state.pid, 5000);
  await files.forget(state.pid);
  log.info({ pid: state.pid }, 'stopped Azurite');
}

function toAzurite(state: AzuriteState, files: PeerStateFiles<AzuriteState>, log: Logger): Azurite {
  const tableEndpoint = tableEndpointFor(state.port);
  return {
    tableEndpoint,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString: azuriteConnectionString(tableEndpoint),
    pid: state.pid,
    startedByThisProcess: state.startedByPid === process.pid,
    ...(state.startedByRun === undefined ? {} : { startedByRun: state.startedByRun }),
    stop: () => files.locked(() => stopUnlocked(state, files, log)),
  };
}

export async function ensureAzurite(opts: EnsureAzuriteOptions = {}): Promise<Azurite> {
  const log = opts.log ?? silentLogger();
  const files = azuriteFiles();
  const t0 = Date.now();
  return files.locked(
    async () => {
      let state = await files.read();
      if (state && isOurAzurite(state.pid)) {
        const deadline = Date.now() + 10_000;
        while (!(await answers(state.port)) && Date.now() < deadline) await sleep(100);
        if (!(await answers(state.port))) {
          throw new Error(
            `Azurite pid ${state.pid} recorded in ${files.stateFile} runs but does not answer on port ${state.port}. ` +
              `Stop it (kill ${state.pid}) and remove ${files.stateFile}.`,
          );
        }
        if (opts.keep && !state.keep) await files.write((state = { ...state, keep: true }));
        await registerPeerUser(files.runsDir);
        log.info({ pid: state.pid, port: state.port, ms: Date.now() - t0 }, 'attached to running Azurite');
        return toAzurite(state, files, log);
      }
      if (state) {
        log.warn({ pid: state.pid }, 'Azurite in the state file is gone; starting a new one');
        await files.forget();
      }
      state = await startFresh(files.dir, opts.keep ?? false, log);
      await files.write(state);
      await registerPeerUser(files.runsDir);
      log.info({ pid: state.pid, port: state.port, ms: Date.now() - t0 }, 'started Azurite (tables)');
      return toAzurite(state, files, log);
    },
    (pid) => log.info({ holderPid: pid }, 'another process is starting Azurite; waiting'),
  );
}

/** Global teardown: stops Azurite if a test run started it (not `keep`) and no other live run uses it. */
export function stopAzuriteIfStartedByRun(runId: string, opts: { log?: Logger } = {}): Promise<boolean> {
  const log = opts.log ?? silentLogger();
  const files = azuriteFiles();
  return releasePeer({ name: 'Azurite', files, stop: (state) => stopUnlocked(state, files, log) }, runId, log);
}
