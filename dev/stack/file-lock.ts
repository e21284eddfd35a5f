// A cross-process lock on a file created with O_EXCL, holding the owner's pid. Used so that two test
// processes that both find no DC do not provision two: the second waits and then attaches.
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { isProcessAlive } from './processes.js';
import { sleep } from '../../shared/timers.js';

export interface FileLockOptions {
  /** Give up waiting after this long (the holder may be provisioning a DC). */
  timeoutMs: number;
  /** A lock older than this is taken over even if its pid looks alive (pid reuse). */
  staleAfterMs?: number;
  onWait?: (holderPid: number) => void;
}

interface LockContent {
  pid: number;
  at: number;
}

function parseLock(text: string): LockContent | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'pid' in value && 'at' in value) {
      const { pid, at } = value;
      if (typeof pid === 'number' && typeof at === 'number') return { pid, at };
    }
  } catch {
    // torn or foreign content: treated as stale below once it is old enough
  }
  return undefined;
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() } satisfies LockContent));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readLock(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: FileLockOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const staleAfterMs = opts.staleAfterMs ?? 10 * 60_000;
  let reportedPid: number | undefined;
  for (;;) {
    if (await tryCreate(path)) break;
    const text = await readLock(path);
    if (text === undefined) continue;
    const lock = parseLock(text);
    const now = Date.now();
    // A torn write is only seen for a moment; give the writer a second before calling it stale.
    const stale = lock ? !isProcessAlive(lock.pid) || now - lock.at > staleAfterMs : now - (await fileMtime(path)) > 1000;
    if (stale) {
      // Remove only the lock we judged: another waiter may have replaced it meanwhile.
      if ((await readLock(path)) === text) await unlink(path).catch(() => undefined);
      continue;
    }
    if (now > deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for lock ${path} held by pid ${lock?.pid ?? '?'}`);
    }
    if (lock && reportedPid !== lock.pid) {
      reportedPid = lock.pid;
      opts.onWait?.(lock.pid);
    }
    await sleep(150);
  }
  try {
    return await fn();
  } finally {
    const held = parseLock((await readLock(path)) ?? '');
    if (held?.pid === process.pid) await unlink(path).catch(() => undefined);
  }
}

async function fileMtime(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}
