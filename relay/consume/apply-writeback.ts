// Applies validated writeback messages to AD through relay/apply/: upserts and deletes one by one, and
// snapshots as a stream that takes their parts as they arrive. Errors propagate to the caller, which tells
// transient from permanent ones. Mass deletions are held before they are sent, by the planner's deletion guard.
// An upsert or delete runs in the foreground: a big group's bulk member work waits until it is done.
import type { Logger } from '../../shared/logging.js';
import type { RelayConfig } from '../config.js';
import { applyDelete } from '../apply/apply-delete.js';
import type { ApplyEnv, ApplyResult } from '../apply/apply-result.js';
import { applyUpsert } from '../apply/apply-upsert.js';
import type { MemberProgress } from '../apply/member-progress.js';
import { SnapshotStream, type SnapshotPart } from '../apply/snapshot-stream.js';
import type { AdContext } from '../ldap/ad-context.js';
import type { Directory } from '../ldap/directory.js';
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';

export interface WritebackApplierOptions {
  config: Pick<RelayConfig, 'safety'> & { ldap: Pick<RelayConfig['ldap'], 'memberChunkSize' | 'memberReadPageSize'> };
  directory: Directory;
  /** Loaded once the DC answers (it may be away at start-up). */
  context: () => Promise<AdContext>;
}

export class WritebackApplier {
  constructor(private readonly opts: WritebackApplierOptions) {}

  async message(m: Exclude<WritebackMessage, SnapshotPart>, log: Logger): Promise<ApplyResult[]> {
    const env = await this.env(log);
    return this.opts.directory.foreground(async () => (m.kind === 'upsert' ? [await applyUpsert(env, m)] : [await applyDelete(env, m)]));
  }

  /** Starts a snapshot with its first part to arrive (which is applied next, like every other part). */
  async beginSnapshot(first: SnapshotPart, log: Logger, progress: MemberProgress): Promise<SnapshotStream> {
    return SnapshotStream.begin(await this.env(log), first, progress);
  }

  private async env(log: Logger): Promise<ApplyEnv> {
    return {
      directory: this.opts.directory,
      ctx: await this.opts.context(),
      memberChunkSize: this.opts.config.ldap.memberChunkSize,
      memberReadPageSize: this.opts.config.ldap.memberReadPageSize,
      staging: this.opts.config.safety.stagingMode,
      log,
    };
  }
}
