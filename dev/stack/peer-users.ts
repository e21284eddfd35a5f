// Who is using a shared local peer (the Samba DC, Azurite): each test run or process registers itself
// (id + process group) in the peer's runs/ folder. The last user out stops the peer if a user (not a person
// with --keep) started it; registrations of dead process groups are pruned.
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../shared/logging.js';
import { withFileLock } from './file-lock.js';
import { isProcessGroupAlive, ownProcessGroup } from './processes.js';

const registrationSchema = z.object({ runId: z.string(), pgid: z.number().int() });

/** A test run's id (set by the vitest global setup), or this process's. */
export function peerUserId(): string {
  return process.env['WRITEBACK_TEST_RUN_ID'] ?? `process-${process.pid}`;
}

export function inTestRun(): boolean {
  return process.env['WRITEBACK_TEST_RUN_ID'] !== undefined;
}

export async function registerPeerUser(runsDir: string): Promise<void> {
  const runId = peerUserId();
  await mkdir(runsDir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(runsDir, `${runId}.json`), JSON.stringify({ runId, pgid: ownProcessGroup() }));
}

export async function unregisterPeerUser(runsDir: string, runId: string): Promise<void> {
  await unlink(path.join(runsDir, `${runId}.json`)).catch(() => undefined);
}

/** Other users still alive (their process group is); dead registrations are pruned. */
export async function otherLivePeerUsers(runsDir: string, runId: string): Promise<string[]> {
  const live: string[] = [];
  for (const name of (await readdir(runsDir).catch(() => [])).filter((n) => n.endsWith('.json'))) {
    const file = path.join(runsDir, name);
    const parsed = registrationSchema.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => '{}')));
    if (!parsed.success || !isProcessGroupAlive(parsed.data.pgid)) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (parsed.data.runId !== runId) live.push(parsed.data.runId);
  }
  return live;
}

export interface SharedPeer<S extends { pid: number; keep?: boolean | undefined; startedByRun?: string | undefined }> {
  /** For log lines, e.g. 'Samba DC'. */
  name: string;
  stateDir: string;
  stateFile: string;
  lockFile: string;
  runsDir: string;
  lockTimeoutMs: number;
  readState(file: string): Promise<S | undefined>;
  /** Stops the peer; called with the lock held. */
  stop(state: S): Promise<void>;
}

/**
 * A user is done with a shared peer: unregister it, and stop the peer when a user started it (not a person
 * with `--keep`) and no other live user is registered. So the last user out stops it. True when stopped.
 */
export async function releasePeer<S extends { pid: number; keep?: boolean | undefined; startedByRun?: string | undefined }>(
  peer: SharedPeer<S>,
  runId: string,
  log: Logger,
): Promise<boolean> {
  try {
    await readdir(peer.stateDir);
  } catch {
    return false;
  }
  return withFileLock(
    peer.lockFile,
    async () => {
      await unregisterPeerUser(peer.runsDir, runId);
      const state = await peer.readState(peer.stateFile);
      if (!state || state.keep || state.startedByRun === undefined) return false;
      const others = await otherLivePeerUsers(peer.runsDir, runId);
      if (others.length > 0) {
        log.info({ pid: state.pid, others }, `${peer.name} still used by others; leaving it running`);
        return false;
      }
      await peer.stop(state);
      return true;
    },
    { timeoutMs: peer.lockTimeoutMs },
  );
}
