// Table store adapters: Azure Table storage (Azure, Azurite) (in-memory twin for tests: dev/tables/memory-table-store.ts).
export {
  AzureTableStore,
  allowsInsecure,
  createAzureTableStore,
  parseTableConnectionString,
  type AzureTableConnection,
} from './azure-table-store.js';
export { MAX_BINARY_BYTES, MAX_ENTITY_BYTES, MAX_PROPERTIES, MAX_STRING_LENGTH } from './limits.js';
