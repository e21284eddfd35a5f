// Writes member additions or removals in bounded modifies with the permissive-modify control. A modify is
// atomic in AD, so one bad value fails its whole chunk: the chunk is then split until the bad member(s)
// stand alone, and every other member still gets written.
import { Attribute, Change, ResultCodeError } from 'ldapts';
import type { MemberError } from '../../shared/contracts/result-message.js';
import { chunk } from './chunk.js';
import type { Directory } from '../ldap/directory.js';
import { permissiveModifyControl } from '../ldap/controls.js';
import { classifyLdapError } from '../ldap/errors.js';
import { reportedError } from '../ldap/error-codes.js';

export interface MemberValue {
  /** Reported in member errors. */
  cloudId: string;
  /** `<SID=...>`, `<GUID=...>` or a DN. */
  value: string;
}

export interface MemberWriteResult {
  /** Values written (with permissive modify, a value already in the wanted state also counts). */
  written: number;
  errors: MemberError[];
}

// Samba (4.17) advertises the permissive-modify control but does not apply it to `member`: it answers
// 68 "Attribute member already exists", and 53 "Attribute member doesn't exist" / "already deleted" (a
// removed link it keeps) / 0x2035 "Unable to find GUID for DN" (a SID no object has). A DC that ignores
// the control is handled here, value by value.
const SAMBA_NOT_A_MEMBER = /Attribute member (doesn't exist|already deleted)|Unable to find GUID for DN/i;

/** Errors that mean the member is already in the wanted state (when a DC ignores the control). */
function alreadyDone(operation: 'add' | 'delete', error: unknown): boolean {
  if (!(error instanceof ResultCodeError)) return false;
  const info = classifyLdapError(error);
  if (operation === 'add') return error.code === 68 || error.code === 20 || info.adCode === 0x562;
  // Removing a non-member, or a member whose object no longer exists.
  if (error.code === 16 || error.code === 32 || info.adCode === 0x561) return true;
  return error.code === 53 && (info.adCode === 0x2035 || SAMBA_NOT_A_MEMBER.test(info.text));
}

export async function writeMembers(
  directory: Directory,
  groupDn: string,
  operation: 'add' | 'delete',
  values: readonly MemberValue[],
  chunkSize: number,
): Promise<MemberWriteResult> {
  const result: MemberWriteResult = { written: 0, errors: [] };
  const modify = (batch: readonly MemberValue[]): Promise<void> =>
    directory.use((client) =>
      client.modify(
        groupDn,
        new Change({ operation, modification: new Attribute({ type: 'member', values: batch.map((m) => m.value) }) }),
        permissiveModifyControl(),
      ),
    );
  // A failed batch is split in halves until the bad value(s) stand alone: one bad member in a chunk of
  // 500 costs ~2*log2(500) extra modifies instead of 500.
  const writeBatch = async (batch: readonly MemberValue[]): Promise<void> => {
    try {
      await modify(batch);
      result.written += batch.length;
      return;
    } catch (error) {
      if (classifyLdapError(error).kind === 'transient') throw error;
      if (batch.length === 1) {
        if (alreadyDone(operation, error)) result.written += 1;
        else result.errors.push({ member: batch[0]!.cloudId, ...reportedError(error) });
        return;
      }
    }
    const half = Math.ceil(batch.length / 2);
    await writeBatch(batch.slice(0, half));
    await writeBatch(batch.slice(half));
  };
  for (const batch of chunk(values, chunkSize)) await writeBatch(batch);
  return result;
}
