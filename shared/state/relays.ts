// The relays the cloud has heard from: table `relays`, one row per relayId (PartitionKey `relay`), written by
// recordResults from heartbeats. A running heartbeat moves `lastHeartbeatAt` (the cloud's clock when it was
// recorded, so a relay host's clock skew does not matter); a `relay --check` heartbeat only `lastCheckAt`, so
// a check never makes a stopped relay look alive. An older heartbeat than the recorded one (a retried copy)
// changes nothing.
import { z } from 'zod';
import { heartbeatCountsSchema, type HeartbeatMessage } from '../contracts/heartbeat-message.js';
import { ConflictError, type StoredEntity, type TableStore } from '../ports/table-store.js';
import { TABLES } from './tables.js';

const PARTITION = 'relay';
const WRITE_ATTEMPTS = 5;

export const relayRecordSchema = z
  .object({
    relayId: z.string(),
    version: z.string(),
    host: z.string(),
    dc: z.string().nullable(),
    directoryAvailable: z.boolean(),
    lastMessageAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    counts: heartbeatCountsSchema.nullable(),
    /** The relay's clock of the newest running heartbeat recorded (orders its heartbeats). */
    sentAt: z.string(),
    /** When the newest running heartbeat was recorded; null: only checked so far. */
    lastHeartbeatAt: z.string().nullable(),
    /** When the newest `relay --check` heartbeat was recorded. */
    lastCheckAt: z.string().nullable(),
  })
  .strict();
export type RelayRecord = z.infer<typeof relayRecordSchema>;

export interface RelayListing extends RelayRecord {
  /** Seconds since the last running heartbeat; null when the relay never sent one. */
  silentForSeconds: number | null;
}

function fromEntity(e: StoredEntity): RelayRecord {
  const doc = e.properties['doc'];
  if (typeof doc !== 'string') throw new Error(`relay ${e.rowKey}: row without a document`);
  return relayRecordSchema.parse(JSON.parse(doc));
}

/** The row after `heartbeat` was recorded at `at`, or null when it is older than the running heartbeat the
 *  row has. A check only stamps `lastCheckAt` (its binary may be a newer version than the one running). */
export function mergeHeartbeat(previous: RelayRecord | null, heartbeat: HeartbeatMessage, at: string): RelayRecord | null {
  if (heartbeat.mode === 'check') {
    if (previous) return { ...previous, lastCheckAt: at };
    return {
      relayId: heartbeat.relayId,
      version: heartbeat.version,
      host: heartbeat.host,
      dc: heartbeat.dc,
      directoryAvailable: heartbeat.directoryAvailable,
      lastMessageAt: null,
      startedAt: null,
      counts: null,
      sentAt: heartbeat.at,
      lastHeartbeatAt: null,
      lastCheckAt: at,
    };
  }
  if (previous?.lastHeartbeatAt && heartbeat.at <= previous.sentAt) return null;
  return {
    relayId: heartbeat.relayId,
    version: heartbeat.version,
    host: heartbeat.host,
    dc: heartbeat.dc,
    directoryAvailable: heartbeat.directoryAvailable,
    lastMessageAt: heartbeat.lastMessageAt,
    startedAt: heartbeat.startedAt,
    counts: heartbeat.counts,
    sentAt: heartbeat.at,
    lastHeartbeatAt: at,
    lastCheckAt: previous?.lastCheckAt ?? null,
  };
}

export class RelayRepository {
  constructor(private readonly tables: TableStore) {}

  private get table() {
    return this.tables.table(TABLES.relays);
  }

  /** Records a heartbeat received at `at` (ISO); false when a newer one was already recorded. */
  async record(heartbeat: HeartbeatMessage, at: string): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      const row = await this.table.get(PARTITION, heartbeat.relayId);
      const next = mergeHeartbeat(row ? fromEntity(row) : null, heartbeat, at);
      if (next === null) return false;
      const entity = { partitionKey: PARTITION, rowKey: heartbeat.relayId, properties: { doc: JSON.stringify(next), lastHeartbeatAt: next.lastHeartbeatAt ?? '' } };
      try {
        if (row === null) {
          if ((await this.table.insertIfAbsent(entity)).inserted) return true;
        } else {
          await this.table.update(entity, row.etag, 'replace');
          return true;
        }
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      // Another instance recorded a heartbeat of this relay in between: read again.
      if (attempt >= WRITE_ATTEMPTS) throw new Error(`relay ${heartbeat.relayId}: heartbeat not recorded after ${WRITE_ATTEMPTS} conflicting writes`);
    }
  }

  /** Every relay, by relayId, with how long it has been silent at `now`. */
  async list(now: Date): Promise<RelayListing[]> {
    const rows = await this.table.listPartition(PARTITION);
    return rows.map((row) => {
      const record = fromEntity(row);
      const silentForSeconds = record.lastHeartbeatAt === null ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(record.lastHeartbeatAt)) / 1000));
      return { ...record, silentForSeconds };
    });
  }
}
