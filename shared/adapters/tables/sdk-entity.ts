// Entities between the port's shape (shared/ports/table-store.ts) and @azure/data-tables': typed numbers on
// the way in, system properties and OData annotations dropped on the way out.
import type { TableEntityResult } from '@azure/data-tables';
import type { Entity, StoredEntity, TableValue, WriteMode } from '../../ports/table-store.js';
import { isInt32 } from './limits.js';

function toSdkValue(value: TableValue): unknown {
  // Integers in Int32 range go untyped (the service infers Int32); every other number is typed Double.
  if (typeof value === 'number' && !isInt32(value)) return { value, type: 'Double' };
  return value;
}

export function toSdkEntity(entity: Entity): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const out: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: entity.partitionKey,
    rowKey: entity.rowKey,
  };
  for (const [name, value] of Object.entries(entity.properties)) out[name] = toSdkValue(value);
  return out;
}

const SYSTEM = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp']);

function fromSdkValue(value: unknown): TableValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  // Guid (and typed values written by other tools) arrive as { value, type }.
  if (typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string') return value.value;
  return undefined;
}

export function fromSdkEntity(result: TableEntityResult<Record<string, unknown>>): StoredEntity {
  const properties: Record<string, TableValue> = {};
  for (const [name, raw] of Object.entries(result)) {
    if (SYSTEM.has(name) || name.includes('.')) continue;
    const value = fromSdkValue(raw);
    if (value !== undefined) properties[name] = value;
  }
  return {
    partitionKey: result.partitionKey ?? '',
    rowKey: result.rowKey ?? '',
    properties,
    etag: result.etag,
    timestamp: new Date(String(result.timestamp ?? 0)),
  };
}

export function sdkMode(mode: WriteMode): 'Merge' | 'Replace' {
  return mode === 'merge' ? 'Merge' : 'Replace';
}
