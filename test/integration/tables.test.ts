// The table store port: one test set, run against Azurite (through the Azure adapter) and the in-memory
// store, so repositories unit-tested on memory behave the same on Azure.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AzureTableStore,
  MAX_BINARY_BYTES,
  MAX_STRING_LENGTH,
  allowsInsecure,
  parseTableConnectionString,
} from '../../shared/adapters/tables/index.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import {
  ConflictError,
  InvalidEntityError,
  PARTITION_KEY,
  ROW_KEY,
  where,
  type BatchOperation,
  type EntityTable,
  type TableStore,
} from '../../shared/ports/table-store.js';
import { getAzurite, uniqueTableName } from '../support/azurite.js';

function defineTableStoreTests(makeStore: () => Promise<TableStore>): void {
  let store: TableStore;
  let table: EntityTable;
  let tableName: string;

  beforeAll(async () => {
    store = await makeStore();
  });

  beforeEach(async () => {
    tableName = uniqueTableName();
    await store.ensureTable(tableName);
    table = store.table(tableName);
  });

  afterEach(async () => {
    await store.deleteTable(tableName);
  });

  const seed = async (partitionKey: string, count: number, properties: (i: number) => Record<string, string | number> = (i) => ({ i })) => {
    for (let start = 0; start < count; start += 100) {
      const operations: BatchOperation[] = [];
      for (let i = start; i < Math.min(count, start + 100); i++) {
        operations.push({ kind: 'upsert', rowKey: `r${String(i).padStart(5, '0')}`, properties: properties(i), mode: 'replace' });
      }
      await table.batch(partitionKey, operations);
    }
  };

  it('creates, reads, merges, replaces and deletes entities, keeping value types', async () => {
    expect(await table.get('g', 'a')).toBeNull();
    const properties = {
      text: 'Sales – Europe ✓',
      int: 42,
      negative: -7,
      double: 1.5,
      big: 2 ** 40,
      yes: true,
      no: false,
      when: new Date('2025-03-01T12:34:56.789Z'),
      bytes: new Uint8Array([0, 1, 254, 255]),
    };
    const inserted = await table.insertIfAbsent({ partitionKey: 'g', rowKey: 'a', properties });
    expect(inserted.inserted).toBe(true);
    expect(await table.insertIfAbsent({ partitionKey: 'g', rowKey: 'a', properties: { text: 'other' } })).toEqual({ inserted: false });

    const read = await table.get('g', 'a');
    expect(read).toMatchObject({ partitionKey: 'g', rowKey: 'a', properties });
    expect(read?.etag).toBe(inserted.inserted ? inserted.etag : undefined);
    expect(read?.timestamp.getTime()).not.toBeNaN();

    await table.upsert({ partitionKey: 'g', rowKey: 'a', properties: { text: 'merged', added: 1 } }, 'merge');
    expect((await table.get('g', 'a'))?.properties).toEqual({ ...properties, text: 'merged', added: 1 });

    await table.upsert({ partitionKey: 'g', rowKey: 'a', properties: { only: 'this' } }, 'replace');
    expect((await table.get('g', 'a'))?.properties).toEqual({ only: 'this' });

    await table.delete('g', 'a');
    expect(await table.get('g', 'a')).toBeNull();
    await table.delete('g', 'a');
  });

  it('guards updates and deletes with the etag', async () => {
    const key = { partitionKey: 'g', rowKey: 'a' };
    const first = await table.upsert({ ...key, properties: { seq: 1 } }, 'replace');
    const second = await table.update({ ...key, properties: { seq: 2 } }, first, 'merge');
    expect(second).not.toBe(first);

    const stale = table.update({ ...key, properties: { seq: 3 } }, first, 'merge');
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(stale).rejects.toMatchObject({ kind: 'etag-mismatch' });
    expect((await table.get('g', 'a'))?.properties).toEqual({ seq: 2 });

    await expect(table.update({ partitionKey: 'g', rowKey: 'missing', properties: {} }, second, 'merge')).rejects.toMatchObject({
      kind: 'not-found',
    });
    await expect(table.delete('g', 'a', first)).rejects.toMatchObject({ kind: 'etag-mismatch' });
    await table.delete('g', 'a', second);
    expect(await table.get('g', 'a')).toBeNull();
  });

  it('lists a partition of more than 1,000 entities in row key order', async () => {
    await seed('big', 1205);
    await seed('other', 3);
    const listed = await table.listPartition('big');
    expect(listed).toHaveLength(1205);
    expect(listed.map((e) => e.rowKey)).toEqual([...listed.map((e) => e.rowKey)].sort());
    expect(listed.every((e) => e.partitionKey === 'big')).toBe(true);

    expect(await table.query(where.ge('i', 0))).toHaveLength(1208);
    const limited = await table.query(where.ge('i', 0), { limit: 10 });
    expect(limited.map((e) => [e.partitionKey, e.rowKey])).toEqual(
      Array.from({ length: 10 }, (_, i) => ['big', `r0000${i}`]),
    );
  });

  it('applies a batch atomically: all operations or none', async () => {
    const etag = await table.upsert({ partitionKey: 'g', rowKey: 'u', properties: { v: 1 } }, 'replace');
    await table.upsert({ partitionKey: 'g', rowKey: 'd', properties: { v: 1 } }, 'replace');
    await table.upsert({ partitionKey: 'g', rowKey: 'exists', properties: { v: 1 } }, 'replace');

    const failing = table.batch('g', [
      { kind: 'insert', rowKey: 'new', properties: { v: 1 } },
      { kind: 'insert', rowKey: 'exists', properties: { v: 2 } },
    ]);
    await expect(failing).rejects.toMatchObject({ kind: 'exists' });
    expect(await table.get('g', 'new')).toBeNull();

    const etags = await table.batch('g', [
      { kind: 'insert', rowKey: 'new', properties: { v: 1 } },
      { kind: 'upsert', rowKey: 'exists', properties: { w: 2 }, mode: 'merge' },
      { kind: 'update', rowKey: 'u', properties: { v: 2 }, etag, mode: 'replace' },
      { kind: 'delete', rowKey: 'd' },
    ]);
    expect(etags).toHaveLength(4);
    expect(etags[3]).toBeUndefined();
    expect(etags.slice(0, 3).every((e) => typeof e === 'string' && e.length > 0)).toBe(true);
    const rows = await table.listPartition('g');
    expect(rows.map((e) => [e.rowKey, e.properties])).toEqual([
      ['exists', { v: 1, w: 2 }],
      ['new', { v: 1 }],
      ['u', { v: 2 }],
    ]);

    await expect(table.batch('g', [{ kind: 'update', rowKey: 'u', properties: {}, etag, mode: 'merge' }])).rejects.toMatchObject({
      kind: 'etag-mismatch',
    });
    await expect(table.batch('g', [{ kind: 'delete', rowKey: 'gone' }])).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('refuses batches over 100 operations or with a row key twice, before sending', async () => {
    const many: BatchOperation[] = Array.from({ length: 101 }, (_, i) => ({ kind: 'delete', rowKey: `r${i}` }));
    await expect(table.batch('g', many)).rejects.toBeInstanceOf(InvalidEntityError);
    const twice: BatchOperation[] = [
      { kind: 'upsert', rowKey: 'a', properties: {}, mode: 'merge' },
      { kind: 'delete', rowKey: 'a' },
    ];
    await expect(table.batch('g', twice)).rejects.toBeInstanceOf(InvalidEntityError);
  });

  it('escapes filter values: a quote in a value matches only itself', async () => {
    const names = ["O'Brien", "x' or RowKey ne '", 'plain', "''"];
    for (const [i, name] of names.entries()) {
      await table.upsert({ partitionKey: 'p', rowKey: `r${i}`, properties: { name } }, 'replace');
    }
    for (const name of names) {
      const found = await table.query(where.eq('name', name));
      expect(found.map((e) => e.properties['name'])).toEqual([name]);
    }
  });

  it('filters by keys, prefixes, numbers, dates and booleans; a missing property matches nothing', async () => {
    await table.upsert({ partitionKey: 'p', rowKey: 'group-1', properties: { n: 5, big: 3e9, at: new Date('2025-01-01T00:00:00Z'), held: true } }, 'replace');
    await table.upsert({ partitionKey: 'p', rowKey: 'group-2', properties: { n: 50, big: 1.5, at: new Date('2025-06-01T00:00:00Z'), held: false } }, 'replace');
    await table.upsert({ partitionKey: 'p', rowKey: 'member-1', properties: { other: 'x' } }, 'replace');
    await table.upsert({ partitionKey: 'q', rowKey: 'group-3', properties: { n: 7 } }, 'replace');
    const keys = async (filter: Parameters<EntityTable['query']>[0]) => (await table.query(filter)).map((e) => `${e.partitionKey}/${e.rowKey}`);

    expect(await keys(where.and(where.eq(PARTITION_KEY, 'p'), where.startsWith(ROW_KEY, 'group-')))).toEqual(['p/group-1', 'p/group-2']);
    expect(await keys(where.gt('n', 6))).toEqual(['p/group-2', 'q/group-3']);
    expect(await keys(where.gt('big', 2 ** 31))).toEqual(['p/group-1']);
    expect(await keys(where.lt('at', new Date('2025-03-01T00:00:00Z')))).toEqual(['p/group-1']);
    expect(await keys(where.eq('held', true))).toEqual(['p/group-1']);
    expect(await keys(where.or(where.eq('n', 5), where.eq('other', 'x')))).toEqual(['p/group-1', 'p/member-1']);
    expect(await keys(where.ne('held', true))).toEqual(['p/group-2']);
  });

  it('keeps large values intact and refuses values over the limits', async () => {
    const longText = 'é'.repeat(MAX_STRING_LENGTH);
    const bytes = new Uint8Array(MAX_BINARY_BYTES).map((_, i) => i % 251);
    await table.upsert({ partitionKey: 'g', rowKey: 'large', properties: { longText, bytes } }, 'replace');
    const read = await table.get('g', 'large');
    expect(read?.properties['longText']).toBe(longText);
    expect(read?.properties['bytes']).toEqual(bytes);

    // Fifteen strings at the limit: just under 1 MiB.
    const wide = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`s${i}`, 'x'.repeat(MAX_STRING_LENGTH)]));
    await table.upsert({ partitionKey: 'g', rowKey: 'wide', properties: wide }, 'replace');
    expect(Object.keys((await table.get('g', 'wide'))?.properties ?? {})).toHaveLength(15);

    const tooWide = { ...wide, s15: 'x'.repeat(MAX_STRING_LENGTH) };
    await expect(table.upsert({ partitionKey: 'g', rowKey: 'w2', properties: tooWide }, 'replace')).rejects.toBeInstanceOf(InvalidEntityError);
    await expect(
      table.upsert({ partitionKey: 'g', rowKey: 'x', properties: { t: 'x'.repeat(MAX_STRING_LENGTH + 1) } }, 'replace'),
    ).rejects.toBeInstanceOf(InvalidEntityError);
  });

  it('refuses bad keys and property names', async () => {
    await expect(table.upsert({ partitionKey: 'a/b', rowKey: 'r', properties: {} }, 'merge')).rejects.toBeInstanceOf(InvalidEntityError);
    await expect(table.upsert({ partitionKey: 'a', rowKey: 'r', properties: { RowKey: 'x' } }, 'merge')).rejects.toBeInstanceOf(
      InvalidEntityError,
    );
    await expect(table.upsert({ partitionKey: 'a', rowKey: 'r', properties: { n: Number.NaN } }, 'merge')).rejects.toBeInstanceOf(
      InvalidEntityError,
    );
    expect(() => store.table('no-dashes')).toThrow(InvalidEntityError);
  });

  it('creates a missing table on first use, for reads and writes alike (state rebuilt from nothing)', async () => {
    const names = [uniqueTableName('missing'), uniqueTableName('missing'), uniqueTableName('missing'), uniqueTableName('missing')];
    try {
      const [read, write, conditional, batched] = names.map((name) => store.table(name)) as [EntityTable, EntityTable, EntityTable, EntityTable];
      expect(await read.get('a', 'b')).toBeNull();
      expect(await read.query(where.eq(PARTITION_KEY, 'a'))).toEqual([]);
      await write.upsert({ partitionKey: 'a', rowKey: 'b', properties: { n: 1 } }, 'merge');
      expect((await write.get('a', 'b'))?.properties).toEqual({ n: 1 });
      expect(await conditional.insertIfAbsent({ partitionKey: 'a', rowKey: 'b', properties: {} })).toMatchObject({ inserted: true });
      await batched.batch('a', [{ kind: 'insert', rowKey: 'b', properties: {} }]);
      expect((await batched.listPartition('a')).map((e) => e.rowKey)).toEqual(['b']);
      // a table deleted under a running process is created again the same way
      await store.deleteTable(names[1]!);
      expect(await write.get('a', 'b')).toBeNull();
      await write.upsert({ partitionKey: 'a', rowKey: 'c', properties: {} }, 'replace');
      expect((await write.listPartition('a')).map((e) => e.rowKey)).toEqual(['c']);
      expect(await store.listTables()).toEqual(expect.arrayContaining(names));
    } finally {
      for (const name of names) await store.deleteTable(name);
    }
  });
}

describe('in-memory table store', () => {
  defineTableStoreTests(async () => new MemoryTableStore());
});

describe('Azure table store on Azurite', () => {
  defineTableStoreTests(async () => {
    const azurite = await getAzurite();
    return new AzureTableStore({ connectionString: azurite.connectionString });
  });
});

describe('Azure table store connection', () => {
  it('allows plain http only to a loopback address', () => {
    expect(allowsInsecure('http://127.0.0.1:10002/devstoreaccount1')).toBe(true);
    expect(allowsInsecure('https://acct.table.core.windows.net')).toBe(false);
    expect(() => allowsInsecure('http://acct.table.core.windows.net')).toThrow(/refusing/);
    expect(() => new AzureTableStore({ connectionString: 'AccountName=a;AccountKey=a2V5;TableEndpoint=http://10.0.0.1:10002/a' })).toThrow(
      /refusing/,
    );
  });

  it('reads the endpoint from a connection string', () => {
    expect(parseTableConnectionString('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5==;EndpointSuffix=core.windows.net')).toEqual({
      endpoint: 'https://acct.table.core.windows.net',
      accountName: 'acct',
      accountKey: 'a2V5==',
    });
  });
});
