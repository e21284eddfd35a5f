// Where a shared local peer (the Samba DC, Azurite) is recorded on disk for every process of the machine:
// one folder holding state.json (the running instance; trusted only when it passes the peer's zod schema,
// written atomically), the lock file that serialises starting, attaching and stopping the peer, and runs/
// (its registered users, peer-users.ts).
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { withFileLock, type FileLockOptions } from './file-lock.js';

/** What every peer's state records: its process, and who may stop it (peer-users.ts). */
export interface PeerState {
  pid: number;
  /** Left running by `--keep`: never stopped by a user's release. */
  keep?: boolean | undefined;
  /** The user that started it; absent when a person did. */
  startedByRun?: string | undefined;
}

export class PeerStateFiles<S extends PeerState> {
  readonly stateFile: string;
  readonly lockFile: string;
  readonly runsDir: string;

  constructor(
    readonly dir: string,
    private readonly schema: z.ZodType<S>,
    private readonly lockOptions: FileLockOptions,
  ) {
    this.stateFile = path.join(dir, 'state.json');
    this.lockFile = path.join(dir, 'lock');
    this.runsDir = path.join(dir, 'runs');
  }

  /** False when no process ever recorded this peer (the folder is missing). */
  async exists(): Promise<boolean> {
    try {
      await readdir(this.dir);
      return true;
    } catch {
      return false;
    }
  }

  /** The recorded instance; undefined when none is, or the file is not in this peer's format (it cannot be
   *  trusted to name our process). */
  async read(): Promise<S | undefined> {
    let text: string;
    try {
      text = await readFile(this.stateFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const parsed = this.schema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Written to a temporary file and renamed, so a reader never sees half a state (mode 0600: it may hold a
   *  password). */
  async write(state: S): Promise<void> {
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
    await rename(tmp, this.stateFile);
  }

  /** Removes the record; with a pid, only while it still names that instance (another may have replaced it). */
  async forget(pid?: number): Promise<void> {
    if (pid !== undefined && (await this.read())?.pid !== pid) return;
    await unlink(this.stateFile).catch(() => undefined);
  }

  /** Runs `fn` holding the peer's lock (creating the folder first). */
  async locked<T>(fn: () => Promise<T>, onWait?: (holderPid: number) => void): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    return withFileLock(this.lockFile, fn, { ...this.lockOptions, ...(onWait ? { onWait } : {}) });
  }
}
