// Azurite (tables) for integration and e2e tests: started or attached once per test process; the run's
// global teardown stops it (test/support/global-setup.ts). Tests isolate by unique table names.
import { randomUUID } from 'node:crypto';
import { ensureAzurite, type Azurite } from '../../dev/stack/azurite.js';
import { createLogger } from '../../shared/logging.js';

let azurite: Promise<Azurite> | undefined;

/** The machine's Azurite; the first call in a process attaches or starts it (a failure is kept). */
export function getAzurite(): Promise<Azurite> {
  azurite ??= ensureAzurite({ log: createLogger('azurite', process.env['LOG_LEVEL'] ?? 'warn') });
  return azurite;
}

/** A table name no other test uses (letters and digits, as Azure requires). */
export function uniqueTableName(prefix = 't'): string {
  return `${prefix}${randomUUID().replaceAll('-', '')}`.slice(0, 63);
}
