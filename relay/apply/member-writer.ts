// Writes member additions or removals in bounded modifies with the permissive-modify control. A modify is
// atomic in AD, so one bad value fails its whole chunk: the chunk is then split until the bad member(s)
// stand alone, and every other member still gets written.
import { Attribute, Change } from 'ldapts';
import type { MemberError } from '../../shared/contracts/result-message.js';
import { chunk } from './chunk.js';
import type { DirectoryRequests } from '../ldap/directory.js';
import { permissiveModifyControl } from '../ldap/controls.js';
import { isTransient, memberAlreadyInState, reportedError } from '../ldap/errors.js';

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

export async function writeMembers(
  directory: DirectoryRequests,
  groupDn: string,
  operation: 'add' | 'delete',
  values: readonly MemberValue[],
  chunkSize: number,
  opts: {
    /** Told after each modify that wrote values (progress of long member work). */
    onWritten?: (count: number) => void;
  } = {},
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
      opts.onWritten?.(batch.length);
      return;
    } catch (error) {
      // DC away or busy (also no DC reachable at all): the whole message is retried, not this member reported.
      if (isTransient(error)) throw error;
      if (batch.length === 1) {
        // A DC that ignores permissive modify (Samba) fails a value already as wanted: counted as written.
        if (memberAlreadyInState(operation, error)) result.written += 1;
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
