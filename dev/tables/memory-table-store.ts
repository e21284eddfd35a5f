// The table store in memory, for unit tests of repositories: the same rules and answers as Azure
// (limits.ts, ConflictError, ordering, numbers as Int32 or Double, a missing table created on first use), no I/O.
import {
  ConflictError,
  PARTITION_KEY,
  ROW_KEY,
  type BatchOperation,
  type Entity,
  type EntityProperties,
  type EntityTable,
  type StoredEntity,
  type TableFilter,
  type TableStore,
  type TableValue,
  type WriteMode,
} from '../../shared/ports/table-store.js';
import { checkBatch, checkEntity, checkFilter, checkKey, checkTableName } from '../../shared/adapters/tables/limits.js';

type Rows = Map<string, StoredEntity>;

function copyValue(value: TableValue): TableValue {
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (typeof value === 'number' && Object.is(value, -0)) return 0;
  return value;
}

function copyProperties(properties: EntityProperties): Record<string, TableValue> {
  const out: Record<string, TableValue> = {};
  for (const [name, value] of Object.entries(properties)) out[name] = copyValue(value);
  return out;
}

function copyStored(entity: StoredEntity): StoredEntity {
  return {
    partitionKey: entity.partitionKey,
    rowKey: entity.rowKey,
    properties: copyProperties(entity.properties),
    etag: entity.etag,
    timestamp: new Date(entity.timestamp.getTime()),
  };
}

const rowId = (partitionKey: string, rowKey: string): string => `${partitionKey}\u0000${rowKey}`;

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function valueOf(entity: StoredEntity, property: string): TableValue | undefined {
  if (property === PARTITION_KEY) return entity.partitionKey;
  if (property === ROW_KEY) return entity.rowKey;
  if (property === 'Timestamp') return entity.timestamp;
  return entity.properties[property];
}

function comparable(value: TableValue | undefined, wanted: string | number | boolean | Date): number | string | undefined {
  if (value === undefined) return undefined;
  if (wanted instanceof Date) return value instanceof Date ? value.getTime() : undefined;
  if (typeof wanted === 'boolean') return typeof value === 'boolean' ? Number(value) : undefined;
  if (typeof value !== typeof wanted) return undefined;
  return value as string | number;
}

function matches(entity: StoredEntity, filter: TableFilter): boolean {
  if (filter.kind !== 'compare') {
    return filter.kind === 'and'
      ? filter.filters.every((f) => matches(entity, f))
      : filter.filters.some((f) => matches(entity, f));
  }
  const left = comparable(valueOf(entity, filter.property), filter.value);
  if (left === undefined) return false;
  const w = filter.value;
  const right = w instanceof Date ? w.getTime() : typeof w === 'boolean' ? Number(w) : w;
  const order = typeof left === 'string' ? ordinal(left, right as string) : left - (right as number);
  switch (filter.op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

class MemoryTable implements EntityTable {
  constructor(
    readonly name: string,
    private readonly store: MemoryTableStore,
  ) {}

  async get(partitionKey: string, rowKey: string): Promise<StoredEntity | null> {
    checkKey('partitionKey', partitionKey);
    checkKey('rowKey', rowKey);
    const found = this.rows().get(rowId(partitionKey, rowKey));
    return found ? copyStored(found) : null;
  }

  async upsert(entity: Entity, mode: WriteMode): Promise<string> {
    checkEntity(entity);
    return this.write(this.rows(), entity, mode);
  }

  async insertIfAbsent(entity: Entity): Promise<{ inserted: true; etag: string } | { inserted: false }> {
    checkEntity(entity);
    const rows = this.rows();
    if (rows.has(rowId(entity.partitionKey, entity.rowKey))) return { inserted: false };
    return { inserted: true, etag: this.write(rows, entity, 'replace') };
  }

  async update(entity: Entity, etag: string, mode: WriteMode): Promise<string> {
    checkEntity(entity);
    const rows = this.rows();
    this.checkEtag(rows.get(rowId(entity.partitionKey, entity.rowKey)), entity.partitionKey, entity.rowKey, etag);
    return this.write(rows, entity, mode);
  }

  async delete(partitionKey: string, rowKey: string, etag?: string): Promise<void> {
    checkKey('partitionKey', partitionKey);
    checkKey('rowKey', rowKey);
    const rows = this.rows();
    const id = rowId(partitionKey, rowKey);
    const existing = rows.get(id);
    if (!existing) return;
    if (etag !== undefined && etag !== '*' && existing.etag !== etag) {
      throw new ConflictError('etag-mismatch', this.name, partitionKey, rowKey);
    }
    rows.delete(id);
  }

  async listPartition(partitionKey: string): Promise<StoredEntity[]> {
    checkKey('partitionKey', partitionKey);
    return this.select((entity) => entity.partitionKey === partitionKey);
  }

  async query(filter: TableFilter, options: { limit?: number } = {}): Promise<StoredEntity[]> {
    checkFilter(filter);
    return this.select((entity) => matches(entity, filter)).slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  }

  async batch(partitionKey: string, operations: readonly BatchOperation[]): Promise<(string | undefined)[]> {
    checkBatch(partitionKey, operations);
    const rows = this.rows();
    // Changes collect here (null = deleted) and reach the table only when every operation succeeded.
    const changes = new Map<string, StoredEntity | null>();
    const current = (id: string): StoredEntity | undefined => (changes.has(id) ? (changes.get(id) ?? undefined) : rows.get(id));
    const etags: (string | undefined)[] = [];
    for (const operation of operations) {
      const id = rowId(partitionKey, operation.rowKey);
      const existing = current(id);
      if (operation.kind === 'delete') {
        if (!existing) throw new ConflictError('not-found', this.name, partitionKey, operation.rowKey);
        changes.set(id, null);
        etags.push(undefined);
        continue;
      }
      const entity = { partitionKey, rowKey: operation.rowKey, properties: operation.properties };
      if (operation.kind === 'insert' && existing) throw new ConflictError('exists', this.name, partitionKey, operation.rowKey);
      if (operation.kind === 'update') this.checkEtag(existing, partitionKey, operation.rowKey, operation.etag);
      const stored = this.build(existing, entity, operation.kind === 'insert' ? 'replace' : operation.mode);
      changes.set(id, stored);
      etags.push(stored.etag);
    }
    for (const [id, stored] of changes) {
      if (stored) rows.set(id, stored);
      else rows.delete(id);
    }
    return etags;
  }

  private rows(): Rows {
    return this.store.rowsOf(this.name);
  }

  private checkEtag(existing: StoredEntity | undefined, partitionKey: string, rowKey: string, etag: string): void {
    if (!existing) throw new ConflictError('not-found', this.name, partitionKey, rowKey);
    if (etag !== '*' && existing.etag !== etag) throw new ConflictError('etag-mismatch', this.name, partitionKey, rowKey);
  }

  private write(rows: Rows, entity: Entity, mode: WriteMode): string {
    const id = rowId(entity.partitionKey, entity.rowKey);
    const stored = this.build(rows.get(id), entity, mode);
    rows.set(id, stored);
    return stored.etag;
  }

  private build(existing: StoredEntity | undefined, entity: Entity, mode: WriteMode): StoredEntity {
    const given = copyProperties(entity.properties);
    return {
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      properties: mode === 'merge' && existing ? { ...existing.properties, ...given } : given,
      etag: this.store.nextEtag(),
      timestamp: new Date(this.store.now()),
    };
  }

  private select(predicate: (entity: StoredEntity) => boolean): StoredEntity[] {
    return [...this.rows().values()]
      .filter(predicate)
      .sort((a, b) => ordinal(a.partitionKey, b.partitionKey) || ordinal(a.rowKey, b.rowKey))
      .map(copyStored);
  }
}

export class MemoryTableStore implements TableStore {
  /** Keyed by lower-case name: Azure table names are case-insensitive. */
  private readonly tables = new Map<string, { name: string; rows: Rows }>();
  private etagCounter = 0;
  readonly now: () => number;

  constructor(options: { clock?: () => number } = {}) {
    this.now = options.clock ?? Date.now;
  }

  table(name: string): EntityTable {
    checkTableName(name);
    return new MemoryTable(name, this);
  }

  async ensureTable(name: string): Promise<void> {
    checkTableName(name);
    this.rowsOf(name);
  }

  async deleteTable(name: string): Promise<void> {
    checkTableName(name);
    this.tables.delete(name.toLowerCase());
  }

  async listTables(): Promise<string[]> {
    return [...this.tables.values()].map((t) => t.name).sort();
  }

  /** @internal A missing table is created, as the Azure adapter does on TableNotFound. */
  rowsOf(name: string): Rows {
    let table = this.tables.get(name.toLowerCase());
    if (!table) {
      table = { name, rows: new Map() };
      this.tables.set(name.toLowerCase(), table);
    }
    return table.rows;
  }

  /** @internal */
  nextEtag(): string {
    return `W/"memory-${++this.etagCounter}"`;
  }
}
