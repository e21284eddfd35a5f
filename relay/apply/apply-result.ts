// What applying one writeback message produced; the consumer turns it into a result message.
import type { MemberError, ResultOutcome } from '../../shared/contracts/result-message.js';
import type { Logger } from '../../shared/logging.js';
import type { AdContext } from '../ldap/ad-context.js';
import type { DirectoryRequests } from '../ldap/directory.js';

export interface AdIdentity {
  objectGUID: string;
  objectSid: string;
  dn: string;
}

export interface ApplyResult {
  outcome: ResultOutcome;
  ad: AdIdentity | null;
  memberErrors: MemberError[];
  error: { code: string; message: string } | null;
  membersAdded: number;
  membersRemoved: number;
}

export function identityOf(group: AdIdentity): AdIdentity {
  return { objectGUID: group.objectGUID, objectSid: group.objectSid, dn: group.dn };
}

/** What every apply step needs. */
export interface ApplyEnv {
  directory: DirectoryRequests;
  ctx: AdContext;
  memberChunkSize: number;
  /** Values per ranged read of `member`. */
  memberReadPageSize: number;
  /** Compute and report, write nothing. */
  staging: boolean;
  log: Logger;
}

/** 'partial' when some members could not be written, else 'applied' ('skipped' in staging mode). */
export function memberOutcome(staging: boolean, memberErrors: readonly MemberError[]): ResultOutcome {
  if (staging) return 'skipped';
  return memberErrors.length > 0 ? 'partial' : 'applied';
}
