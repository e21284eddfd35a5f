// Vitest global setup: shared peers (Samba AD DC, Azurite) are started lazily by the first test that
// needs them and stopped here, at the end of the run, if this run started them.
import { randomUUID } from 'node:crypto';

export function setup(): () => Promise<void> {
  const runId = randomUUID();
  process.env['WRITEBACK_TEST_RUN_ID'] = runId;
  return async () => {
    // teardown hooks of the stack parts are added here
  };
}
