// The table store over Azure Table storage (@azure/data-tables 13): managed identity in Azure, the
// account key for Azurite. Plain http is allowed only to a loopback address (Azurite). A table that does not
// exist is created on the first TableNotFound and the operation retried once: state rebuilt from nothing
// (a new account, tables deleted) recovers by itself, without an existence check per request.
import { AzureNamedKeyCredential, TableClient, TableServiceClient, type TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import {
  ConflictError,
  PARTITION_KEY,
  TableNotFoundError,
  where,
  type BatchOperation,
  type Entity,
  type EntityTable,
  type StoredEntity,
  type TableFilter,
  type TableStore,
  type WriteMode,
} from '../../ports/table-store.js';
import { brokenPipeRetry } from './broken-pipe-retry.js';
import { checkBatch, checkEntity, checkKey, checkTableName } from './limits.js';
import { toODataFilter } from './odata-filter.js';
import { failure, fromSdkEntity, isTableMissing, sdkMode, toSdkEntity } from './sdk-entity.js';

export type AzureTableConnection =
  /** Production: DefaultAzureCredential / ManagedIdentityCredential. */
  | { endpoint: string; credential: TokenCredential }
  | { endpoint: string; accountName: string; accountKey: string }
  /** AccountName, AccountKey and TableEndpoint (or DefaultEndpointsProtocol + EndpointSuffix). */
  | { connectionString: string };

const LOOPBACK = new Set(['127.0.0.1', '[::1]']);

/** http only to loopback (Azurite); anything else must be https. */
export function allowsInsecure(endpoint: string): boolean {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') return false;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return true;
  throw new Error(`refusing table endpoint ${url.origin}: only https, or http to 127.0.0.1 (Azurite)`);
}

export function parseTableConnectionString(connectionString: string): { endpoint: string; accountName: string; accountKey: string } {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const accountName = parts.get('AccountName');
  const accountKey = parts.get('AccountKey');
  if (!accountName || !accountKey) throw new Error('table connection string needs AccountName and AccountKey');
  const endpoint =
    parts.get('TableEndpoint') ??
    `${parts.get('DefaultEndpointsProtocol') ?? 'https'}://${accountName}.table.${parts.get('EndpointSuffix') ?? 'core.windows.net'}`;
  return { endpoint: endpoint.replace(/\/+$/, ''), accountName, accountKey };
}

class AzureTable implements EntityTable {
  constructor(
    readonly name: string,
    private readonly client: TableClient,
  ) {}

  async get(partitionKey: string, rowKey: string): Promise<StoredEntity | null> {
    checkKey('partitionKey', partitionKey);
    checkKey('rowKey', rowKey);
    try {
      return fromSdkEntity(await this.withTable(() => this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey)));
    } catch (error) {
      if (failure(error).statusCode === 404 && !isTableMissing(error)) return null;
      throw this.mapped(error, partitionKey, rowKey);
    }
  }

  async upsert(entity: Entity, mode: WriteMode): Promise<string> {
    checkEntity(entity);
    return this.call(entity.partitionKey, entity.rowKey, async () => {
      const response = await this.client.upsertEntity(toSdkEntity(entity), sdkMode(mode));
      return response.etag ?? '';
    });
  }

  async insertIfAbsent(entity: Entity): Promise<{ inserted: true; etag: string } | { inserted: false }> {
    checkEntity(entity);
    try {
      const response = await this.withTable(() => this.client.createEntity(toSdkEntity(entity)));
      return { inserted: true, etag: response.etag ?? '' };
    } catch (error) {
      if (failure(error).statusCode === 409) return { inserted: false };
      throw this.mapped(error, entity.partitionKey, entity.rowKey);
    }
  }

  async update(entity: Entity, etag: string, mode: WriteMode): Promise<string> {
    checkEntity(entity);
    return this.call(entity.partitionKey, entity.rowKey, async () => {
      const response = await this.client.updateEntity(toSdkEntity(entity), sdkMode(mode), { etag });
      return response.etag ?? '';
    });
  }

  async delete(partitionKey: string, rowKey: string, etag?: string): Promise<void> {
    checkKey('partitionKey', partitionKey);
    checkKey('rowKey', rowKey);
    try {
      await this.withTable(() => this.client.deleteEntity(partitionKey, rowKey, { etag: etag ?? '*' }));
    } catch (error) {
      if (failure(error).statusCode === 404 && !isTableMissing(error)) return;
      throw this.mapped(error, partitionKey, rowKey);
    }
  }

  listPartition(partitionKey: string): Promise<StoredEntity[]> {
    checkKey('partitionKey', partitionKey);
    return this.query(where.eq(PARTITION_KEY, partitionKey));
  }

  async query(filter: TableFilter, options: { limit?: number } = {}): Promise<StoredEntity[]> {
    const text = toODataFilter(filter);
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    return this.call('', undefined, async () => {
      const found: StoredEntity[] = [];
      // The iterator follows continuation tokens: pages of up to 1,000 entities.
      for await (const result of this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter: text } })) {
        found.push(fromSdkEntity(result));
        if (found.length >= limit) break;
      }
      return found;
    });
  }

  async batch(partitionKey: string, operations: readonly BatchOperation[]): Promise<(string | undefined)[]> {
    checkBatch(partitionKey, operations);
    if (operations.length === 0) return [];
    const actions = operations.map((operation): TransactionAction => {
      if (operation.kind === 'delete') return ['delete', { partitionKey, rowKey: operation.rowKey }];
      const entity = toSdkEntity({ partitionKey, rowKey: operation.rowKey, properties: operation.properties });
      switch (operation.kind) {
        case 'insert':
          return ['create', entity];
        case 'upsert':
          return ['upsert', entity, sdkMode(operation.mode)];
        case 'update':
          return ['update', entity, sdkMode(operation.mode), { etag: operation.etag }];
      }
    });
    const response = await this.call(partitionKey, undefined, () => this.client.submitTransaction(actions));
    return operations.map((operation, index) =>
      operation.kind === 'delete' ? undefined : (response.subResponses[index]?.etag ?? ''),
    );
  }

  private async call<T>(partitionKey: string, rowKey: string | undefined, action: () => Promise<T>): Promise<T> {
    try {
      return await this.withTable(action);
    } catch (error) {
      throw this.mapped(error, partitionKey, rowKey);
    }
  }

  /** Runs `action`; on TableNotFound creates the table (idempotent: a concurrent creator is fine) and runs it
   *  once more. A second TableNotFound (e.g. a table still being deleted) reaches the caller. */
  private async withTable<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (!isTableMissing(error)) throw error;
    }
    try {
      await this.client.createTable();
    } catch (error) {
      throw new TableNotFoundError(this.name, { cause: error });
    }
    return action();
  }

  private mapped(error: unknown, partitionKey: string, rowKey: string | undefined): unknown {
    if (isTableMissing(error)) return new TableNotFoundError(this.name);
    switch (failure(error).statusCode) {
      case 409:
        return new ConflictError('exists', this.name, partitionKey, rowKey);
      case 412:
        return new ConflictError('etag-mismatch', this.name, partitionKey, rowKey);
      case 404:
        return new ConflictError('not-found', this.name, partitionKey, rowKey);
      default:
        return error;
    }
  }
}

export class AzureTableStore implements TableStore {
  private readonly service: TableServiceClient;
  private readonly clients = new Map<string, TableClient>();
  private readonly newClient: (table: string) => TableClient;

  constructor(connection: AzureTableConnection) {
    const resolved = 'connectionString' in connection ? parseTableConnectionString(connection.connectionString) : connection;
    const options = { allowInsecureConnection: allowsInsecure(resolved.endpoint), additionalPolicies: [brokenPipeRetry] };
    if ('credential' in resolved) {
      const credential = resolved.credential;
      this.service = new TableServiceClient(resolved.endpoint, credential, options);
      this.newClient = (table) => new TableClient(resolved.endpoint, table, credential, options);
    } else {
      const credential = new AzureNamedKeyCredential(resolved.accountName, resolved.accountKey);
      this.service = new TableServiceClient(resolved.endpoint, credential, options);
      this.newClient = (table) => new TableClient(resolved.endpoint, table, credential, options);
    }
  }

  table(name: string): EntityTable {
    checkTableName(name);
    let client = this.clients.get(name);
    if (!client) {
      client = this.newClient(name);
      this.clients.set(name, client);
    }
    return new AzureTable(name, client);
  }

  async ensureTable(name: string): Promise<void> {
    checkTableName(name);
    await this.service.createTable(name);
  }

  async deleteTable(name: string): Promise<void> {
    checkTableName(name);
    await this.service.deleteTable(name);
  }

  async listTables(): Promise<string[]> {
    const names: string[] = [];
    for await (const table of this.service.listTables()) if (table.name) names.push(table.name);
    return names.sort();
  }
}

/** Convenience for the composition roots. */
export function createAzureTableStore(connection: AzureTableConnection): TableStore {
  return new AzureTableStore(connection);
}
