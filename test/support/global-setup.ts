// Vitest global setup: shared peers (Samba AD DC, Azurite) are started lazily by the first test that
// needs them and stopped here, at the end of the run, if this run started them.
import { randomUUID } from 'node:crypto';
import { stopAzuriteIfStartedByRun } from '../../dev/stack/azurite.js';
import { stopSambaDcIfStartedByRun } from '../../dev/stack/samba.js';

export function setup(): () => Promise<void> {
  const runId = randomUUID();
  process.env['WRITEBACK_TEST_RUN_ID'] = runId;
  return async () => {
    // teardown hooks of the stack parts are added here
    await stopSambaDcIfStartedByRun(runId).catch((error: unknown) => console.error('stopping the Samba DC failed:', error));
    await stopAzuriteIfStartedByRun(runId).catch((error: unknown) => console.error('stopping Azurite failed:', error));
  };
}
