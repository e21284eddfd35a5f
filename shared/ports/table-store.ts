// The table store port: the subset of Azure Table storage the state repositories build on. Implemented
// by shared/adapters/tables (Azure / Azurite, and in memory for unit tests); one test set
// (test/integration/tables.test.ts) runs against both.

/** Values a property can hold. Numbers: integers in Int32 range are stored as Int32, all others as
 *  Double (exact up to 2^53). Strings up to 32 K characters, binary up to 64 KiB. Absent = no property. */
export type TableValue = string | number | boolean | Date | Uint8Array;

export type EntityProperties = Readonly<Record<string, TableValue>>;

export interface EntityKey {
  /** No / \ # ? or control characters; at most 512 characters. */
  partitionKey: string;
  rowKey: string;
}

export interface Entity extends EntityKey {
  /** Names: letters, digits and _, starting with a letter or _, at most 255 characters; at most 252 of them. */
  properties: EntityProperties;
}

export interface StoredEntity extends Entity {
  /** Opaque version for optimistic concurrency (update / delete with etag). */
  etag: string;
  /** Last modification, set by the store. */
  timestamp: Date;
}

/** merge: keep properties not given; replace: the entity becomes exactly what is given. */
export type WriteMode = 'merge' | 'replace';

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** Special names for the keys in filters. */
export const PARTITION_KEY = 'PartitionKey';
export const ROW_KEY = 'RowKey';

/** A query filter as data: adapters render it safely (values are never pasted into a query string). */
export type TableFilter =
  | { kind: 'compare'; property: string; op: ComparisonOperator; value: string | number | boolean | Date }
  | { kind: 'and' | 'or'; filters: readonly TableFilter[] };

function compare(op: ComparisonOperator) {
  return (property: string, value: string | number | boolean | Date): TableFilter => ({ kind: 'compare', property, op, value });
}

/** Filter builders: where.and(where.eq('state', 'held'), where.ge(ROW_KEY, 'g-')). Comparisons of a missing
 *  property or of a value of another type match nothing (also `ne`). No `not`: its meaning on missing
 *  properties differs between stores. */
export const where = {
  eq: compare('eq'),
  ne: compare('ne'),
  gt: compare('gt'),
  ge: compare('ge'),
  lt: compare('lt'),
  le: compare('le'),
  and: (...filters: TableFilter[]): TableFilter => ({ kind: 'and', filters }),
  or: (...filters: TableFilter[]): TableFilter => ({ kind: 'or', filters }),
  /** String property starting with `prefix` (a range: >= prefix and < the next prefix). */
  startsWith(property: string, prefix: string): TableFilter {
    if (prefix === '') return { kind: 'compare', property, op: 'ge', value: '' };
    const last = prefix.charCodeAt(prefix.length - 1);
    const next = prefix.slice(0, -1) + String.fromCharCode(last + 1);
    return { kind: 'and', filters: [compare('ge')(property, prefix), compare('lt')(property, next)] };
  },
};

export type BatchOperation =
  | { kind: 'upsert'; rowKey: string; properties: EntityProperties; mode: WriteMode }
  /** Fails the whole batch (ConflictError 'exists') when the entity exists. */
  | { kind: 'insert'; rowKey: string; properties: EntityProperties }
  /** Fails the whole batch (ConflictError) on an etag mismatch or a missing entity. */
  | { kind: 'update'; rowKey: string; properties: EntityProperties; etag: string; mode: WriteMode }
  /** Unconditional (the SDK's transactions take no etag for delete). Fails the whole batch
   *  (ConflictError 'not-found') when the entity is missing — unlike delete(). */
  | { kind: 'delete'; rowKey: string };

export const MAX_BATCH_OPERATIONS = 100;

export interface EntityTable {
  readonly name: string;
  get(partitionKey: string, rowKey: string): Promise<StoredEntity | null>;
  /** Insert or update; returns the new etag. */
  upsert(entity: Entity, mode: WriteMode): Promise<string>;
  /** Inserts unless the entity exists; never overwrites. */
  insertIfAbsent(entity: Entity): Promise<{ inserted: true; etag: string } | { inserted: false }>;
  /** Writes only if the stored etag is still `etag` ('*': any); otherwise ConflictError ('etag-mismatch' or 'not-found'). */
  update(entity: Entity, etag: string, mode: WriteMode): Promise<string>;
  /** Idempotent: deleting a missing entity succeeds. With an etag, a changed entity is ConflictError. */
  delete(partitionKey: string, rowKey: string, etag?: string): Promise<void>;
  /** Every entity of a partition, in row key order (the store's paging is hidden). */
  listPartition(partitionKey: string): Promise<StoredEntity[]>;
  /** Entities matching the filter, in partition then row key order; at most `limit` when given. */
  query(filter: TableFilter, options?: { limit?: number }): Promise<StoredEntity[]>;
  /** Atomic: all operations (at most 100, one partition, each row key once) or none. Returns each
   *  operation's new etag (undefined for delete). */
  batch(partitionKey: string, operations: readonly BatchOperation[]): Promise<(string | undefined)[]>;
}

export interface TableStore {
  /** A handle. A missing table is created on first use (the adapter creates it when the store answers
   *  TableNotFound, then retries the operation once); TableNotFoundError only when that fails. */
  table(name: string): EntityTable;
  /** Creates the table if missing. Names: a letter, then letters and digits, 3 to 63 characters. */
  ensureTable(name: string): Promise<void>;
  /** Idempotent. */
  deleteTable(name: string): Promise<void>;
  listTables(): Promise<string[]>;
}

export type ConflictKind = 'etag-mismatch' | 'not-found' | 'exists';

/** What the caller read is stale: the entity changed, vanished, or already exists. Re-read and retry. */
export class ConflictError extends Error {
  constructor(
    readonly kind: ConflictKind,
    readonly table: string,
    readonly partitionKey: string,
    readonly rowKey: string | undefined,
  ) {
    super(`conflict (${kind}) on ${table} ${partitionKey}/${rowKey ?? '(batch)'}`);
    this.name = 'ConflictError';
  }
}

/** The table is missing and could not be created (e.g. Azure still deleting a table of that name). */
export class TableNotFoundError extends Error {
  constructor(
    readonly table: string,
    options?: { cause?: unknown },
  ) {
    super(`table ${table} does not exist and could not be created`, options);
    this.name = 'TableNotFoundError';
  }
}

/** Refused before reaching the store: bad key, property name, value, size, or batch shape. */
export class InvalidEntityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEntityError';
  }
}
