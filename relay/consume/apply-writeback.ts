// Applies validated writeback messages to AD through relay/apply/: upserts, deletes, snapshots (one
// message, or the parts of one snapshot together). Errors propagate to the caller, which tells transient
// from permanent ones. Mass deletions are held before they are sent, by the planner's deletion guard.
import type { Logger } from '../../shared/logging.js';
import type { RelayConfig } from '../config.js';
import { applyDelete } from '../apply/apply-delete.js';
import type { ApplyEnv, ApplyResult } from '../apply/apply-result.js';
import { applySnapshot, type SnapshotPart } from '../apply/apply-snapshot.js';
import { applyUpsert } from '../apply/apply-upsert.js';
import type { AdContext } from '../ldap/ad-context.js';
import type { Directory } from '../ldap/directory.js';
import type { ReceivedWriteback } from './settle.js';

export interface WritebackApplierOptions {
  config: Pick<RelayConfig, 'safety'> & { ldap: Pick<RelayConfig['ldap'], 'memberChunkSize' | 'memberReadPageSize'> };
  directory: Directory;
  /** Loaded once the DC answers (it may be away at start-up). */
  context: () => Promise<AdContext>;
}

export class WritebackApplier {
  constructor(private readonly opts: WritebackApplierOptions) {}

  async message(item: ReceivedWriteback, log: Logger): Promise<ApplyResult[]> {
    const env = await this.env(log);
    const m = item.message;
    switch (m.kind) {
      case 'upsert':
        return [await applyUpsert(env, m)];
      case 'delete':
        return [await applyDelete(env, m)];
      case 'snapshot':
        return (await applySnapshot(env, [m], true)).results;
    }
  }

  /** The held parts of one snapshot; `complete` false adds members and removes none. */
  async snapshotParts(parts: SnapshotPart[], complete: boolean, log: Logger): Promise<ApplyResult[]> {
    return (await applySnapshot(await this.env(log), parts, complete)).results;
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
