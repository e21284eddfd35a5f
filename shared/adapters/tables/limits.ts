// Azure Table storage rules, checked before a request leaves, by both stores: the in-memory store then
// refuses exactly what Azure would, and Azure errors for these cases never reach callers.
import {
  InvalidEntityError,
  MAX_BATCH_OPERATIONS,
  PARTITION_KEY,
  ROW_KEY,
  type BatchOperation,
  type Entity,
  type EntityProperties,
  type TableFilter,
  type TableValue,
} from '../../ports/table-store.js';

export const MAX_KEY_LENGTH = 512; // 1 KiB of UTF-16
export const MAX_STRING_LENGTH = 32 * 1024; // 64 KiB of UTF-16
export const MAX_BINARY_BYTES = 64 * 1024;
export const MAX_PROPERTIES = 252;
export const MAX_ENTITY_BYTES = 1024 * 1024;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MIN_DATE = Date.UTC(1601, 0, 1);
const RESERVED = new Set(['partitionkey', 'rowkey', 'timestamp', 'etag']);
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

export function checkTableName(name: string): void {
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(name) || name.toLowerCase() === 'tables') {
    throw new InvalidEntityError(`invalid table name ${JSON.stringify(name)}: a letter, then letters and digits, 3-63 characters`);
  }
}

export function checkKey(kind: 'partitionKey' | 'rowKey', value: string): void {
  if (typeof value !== 'string') throw new InvalidEntityError(`${kind} must be a string`);
  if (value.length > MAX_KEY_LENGTH) throw new InvalidEntityError(`${kind} is longer than ${MAX_KEY_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(value)) {
    throw new InvalidEntityError(`${kind} ${JSON.stringify(value)} contains / \\ # ? or a control character`);
  }
}

export function checkPropertyName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name) || RESERVED.has(name.toLowerCase())) {
    throw new InvalidEntityError(`invalid property name ${JSON.stringify(name)}`);
  }
}

function valueBytes(name: string, value: TableValue): number {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) throw new InvalidEntityError(`property ${name} is longer than ${MAX_STRING_LENGTH} characters`);
    return 4 + value.length * 2;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidEntityError(`property ${name} is not a finite number`);
    return isInt32(value) ? 4 : 8;
  }
  if (typeof value === 'boolean') return 1;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()) || value.getTime() < MIN_DATE) {
      throw new InvalidEntityError(`property ${name} is not a date from 1601 on`);
    }
    return 8;
  }
  if (value instanceof Uint8Array) {
    if (value.byteLength > MAX_BINARY_BYTES) throw new InvalidEntityError(`property ${name} is larger than ${MAX_BINARY_BYTES} bytes`);
    return 4 + value.byteLength;
  }
  throw new InvalidEntityError(`property ${name} has an unsupported type`);
}

/** Checks names and values; returns the size Azure counts for them. */
export function checkProperties(properties: EntityProperties): number {
  const entries = Object.entries(properties);
  if (entries.length > MAX_PROPERTIES) throw new InvalidEntityError(`more than ${MAX_PROPERTIES} properties`);
  let bytes = 0;
  for (const [name, value] of entries) {
    checkPropertyName(name);
    bytes += 8 + name.length * 2 + valueBytes(name, value);
  }
  return bytes;
}

/** Checks keys and properties; returns the entity's size as Azure counts it (at most 1 MiB). */
export function checkEntity(entity: Entity): number {
  checkKey('partitionKey', entity.partitionKey);
  checkKey('rowKey', entity.rowKey);
  const bytes = 4 + entity.partitionKey.length * 2 + entity.rowKey.length * 2 + checkProperties(entity.properties);
  if (bytes > MAX_ENTITY_BYTES) throw new InvalidEntityError(`entity ${entity.partitionKey}/${entity.rowKey} is ${bytes} bytes; the limit is 1 MiB`);
  return bytes;
}

export function checkBatch(partitionKey: string, operations: readonly BatchOperation[]): void {
  if (operations.length > MAX_BATCH_OPERATIONS) throw new InvalidEntityError(`a batch holds at most ${MAX_BATCH_OPERATIONS} operations`);
  checkKey('partitionKey', partitionKey);
  const rowKeys = new Set<string>();
  let bytes = 0;
  for (const operation of operations) {
    if (rowKeys.has(operation.rowKey)) throw new InvalidEntityError(`row key ${operation.rowKey} appears twice in one batch`);
    rowKeys.add(operation.rowKey);
    bytes +=
      operation.kind === 'delete'
        ? (checkKey('rowKey', operation.rowKey), 0)
        : checkEntity({ partitionKey, rowKey: operation.rowKey, properties: operation.properties });
  }
  if (bytes > MAX_BATCH_BYTES) throw new InvalidEntityError(`a batch of ${bytes} bytes exceeds 4 MiB`);
}

export function checkFilter(filter: TableFilter): void {
  if (filter.kind === 'compare') {
    if (filter.property !== PARTITION_KEY && filter.property !== ROW_KEY && filter.property !== 'Timestamp') {
      checkPropertyName(filter.property);
    }
    const value = filter.value;
    if (typeof value === 'number' && !Number.isFinite(value)) throw new InvalidEntityError('filter value is not a finite number');
    if (value instanceof Date && Number.isNaN(value.getTime())) throw new InvalidEntityError('filter value is an invalid date');
    return;
  }
  if (filter.filters.length === 0) throw new InvalidEntityError(`an empty "${filter.kind}" filter`);
  filter.filters.forEach(checkFilter);
}
