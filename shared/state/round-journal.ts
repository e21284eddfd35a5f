// The round journal makes "send, then save" safe. Before a round sends, it records per group the seqs it is
// about to use; after the planned states are saved, the journal is cleared. A round that finds a journal
// knows the previous round may have sent messages whose planned state was never saved: for each group whose
// saved seq is below the journaled one, the planner resends the group's whole state after those seqs (a
// snapshot or a delete), so AD converges whatever part of the lost round arrived, and no new message reuses
// a messageId the lost round may have used with different content (duplicate detection would drop it).
import { TABLES } from './tables.js';
import type { TableStore } from '../ports/table-store.js';
import { MAX_TEXT_CHARS, textOf, textProperties } from './text-chunks.js';

export interface JournalEntry {
  groupId: string;
  /** The last seq the round may have sent. */
  lastSeq: number;
}

export class RoundJournalRepository {
  constructor(private readonly tables: TableStore) {}

  private get table() {
    return this.tables.table(TABLES.roundJournal);
  }

  async read(tenantId: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const e of await this.table.listPartition(tenantId)) {
      for (const line of textOf(e).split('\n')) {
        if (line.length === 0) continue;
        const [groupId, seq] = line.split(' ');
        const n = Number(seq);
        if (!groupId || !Number.isSafeInteger(n)) throw new Error(`bad round journal line: ${JSON.stringify(line)}`);
        out.set(groupId, Math.max(out.get(groupId) ?? 0, n));
      }
    }
    return out;
  }

  /** Records the entries (on top of any left by an earlier, unfinished round). */
  async record(tenantId: string, entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const existing = (await this.table.listPartition(tenantId)).length;
    const rows: string[][] = [[]];
    let size = 0;
    for (const e of entries) {
      const line = `${e.groupId} ${e.lastSeq}`;
      if (size + line.length + 1 > MAX_TEXT_CHARS) {
        rows.push([]);
        size = 0;
      }
      rows[rows.length - 1]!.push(line);
      size += line.length + 1;
    }
    for (const [i, lines] of rows.entries()) {
      const rowKey = `r${String(existing + i).padStart(6, '0')}`;
      await this.table.upsert({ partitionKey: tenantId, rowKey, properties: textProperties('round journal', lines.join('\n')) }, 'replace');
    }
  }

  async clear(tenantId: string): Promise<void> {
    for (const e of await this.table.listPartition(tenantId)) await this.table.delete(tenantId, e.rowKey);
  }
}
