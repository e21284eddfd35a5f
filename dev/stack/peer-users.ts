// Who is using a shared local peer (the Samba DC, Azurite): each test run or process registers itself
// (id + process group) in the peer's runs/ folder. The last user out stops the peer if a user (not a person
// with --keep) started it; registrations of dead process groups are pruned.
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../shared/logging.js';
import type { PeerState, PeerStateFiles } from './peer-state.js';
import { isProcessGroupAlive, ownProcessGroup } from './processes.js';

const registrationSchema = z.object({ runId: z.string(), pgid: z.number().int() });

/** A test run's id (set by the vitest global setup), or this process's. */
export function peerUserId(): string {
  return process.env['WRITEBACK_TEST_RUN_ID'] ?? `process-${process.pid}`;
}

export function inTestRun(): boolean {
  return process.env['WRITEBACK_TEST_RUN_ID'] !== undefined;
}

export async function registerPeerUser(runsDir: string, runId = peerUserId()): Promise<void> {
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

export interface SharedPeer<S extends PeerState> {
  /** For log lines, e.g. 'Samba DC'. */
  name: string;
  files: PeerStateFiles<S>;
  /** Stops the peer; called with the lock held. */
  stop(state: S): Promise<void>;
}

/** Under the peer's lock: stops it when `runId` is its last user and a user started it. With `onlyIfLast`,
 *  a user that is not the last one stays registered; otherwise it is unregistered either way. */
async function leave<S extends PeerState>(peer: SharedPeer<S>, runId: string, log: Logger, onlyIfLast: boolean): Promise<boolean> {
  if (!(await peer.files.exists())) return false;
  return peer.files.locked(async () => {
    const state = await peer.files.read();
    const stoppable = state !== undefined && !state.keep && state.startedByRun !== undefined;
    const others = stoppable ? await otherLivePeerUsers(peer.files.runsDir, runId) : [];
    const last = stoppable && others.length === 0;
    if (last || !onlyIfLast) await unregisterPeerUser(peer.files.runsDir, runId);
    if (!last) {
      if (stoppable && !onlyIfLast) log.info({ pid: state.pid, others }, `${peer.name} still used by others; leaving it running`);
      return false;
    }
    await peer.stop(state);
    return true;
  });
}

/**
 * A user is done with a shared peer: unregister it, and stop the peer when a user started it (not a person
 * with `--keep`) and no other live user is registered. So the last user out stops it. True when stopped.
 */
export function releasePeer<S extends PeerState>(peer: SharedPeer<S>, runId: string, log: Logger): Promise<boolean> {
  return leave(peer, runId, log, false);
}

/**
 * A user is done with a shared peer that holds objects of its own (a run's OU in the DC). The last user out
 * stops the peer and skips `cleanUp` (a stopped peer is deleted whole, much faster than object by object).
 * Any other user cleans up while still registered and releases the peer only afterwards: unregistering
 * first would let another user become the last one and stop the peer in the middle of the clean-up.
 * True when this user stopped the peer.
 */
export async function releasePeerAfterCleanUp<S extends PeerState>(
  peer: SharedPeer<S>,
  runId: string,
  log: Logger,
  cleanUp: () => Promise<void>,
): Promise<boolean> {
  if (await leave(peer, runId, log, true)) return true;
  try {
    await cleanUp();
  } catch (error) {
    await releasePeer(peer, runId, log);
    throw error;
  }
  return releasePeer(peer, runId, log);
}
