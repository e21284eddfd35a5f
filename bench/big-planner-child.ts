// The planner side of the big-group benchmark, in its own process so its memory is the planner's alone: the
// local Functions host serving the app's functions (webhook, planChanges with the real round code,
// recordResults) over the embedded queue, which it serves to the relay process over loopback
// (dev/queue/remote-server.ts). State in Azurite, Graph = the simulator in the parent process.
// Input: a JSON file named by argv[2]; commands on stdin, events on stdout (bench/big-protocol.ts).
import { readFile } from 'node:fs/promises';
import readline from 'node:readline';
import { trustSimulatorCertificate } from '../dev/graph-sim/trust.js';
import { startLocalHost } from '../dev/host/local-host.js';
import { createLocalRuntime, type LocalRuntime } from '../dev/host/local-runtime.js';
import { startRemoteQueueServer } from '../dev/queue/remote-server.js';
import { createAzureTableStore } from '../shared/adapters/tables/index.js';
import { createLogger } from '../shared/logging.js';
import { commandSchema, eventLine, plannerInputSchema } from './big-protocol.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: big-planner-child.ts INPUT.json');
  const input = plannerInputSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  trustSimulatorCertificate(await readFile(input.simCaFile, 'utf8'));
  const log = createLogger('bench-planner', process.env['LOG_LEVEL'] ?? 'warn');
  const tables = createAzureTableStore({ connectionString: input.tablesConnectionString });
  let runtime!: LocalRuntime;
  const host = await startLocalHost({
    runtime: async (hostUrl) => {
      runtime = await createLocalRuntime({ graphBaseUrl: input.graphBaseUrl, tenantId: input.tenantId, hostUrl, tables, log });
      return runtime;
    },
    timers: false,
    queuePollMs: 50,
  });
  const queueServer = await startRemoteQueueServer(runtime.broker.client(), log.child({ component: 'queue-server' }));
  process.stdout.write(eventLine({ type: 'ready', hostUrl: host.url, queueUrl: queueServer.url }));

  const stop = async (): Promise<void> => {
    await queueServer.close();
    await host.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = commandSchema.parse(JSON.parse(line));
    if (command.cmd === 'subscribe') {
      await host.runTimer('subscriptions');
      process.stdout.write(eventLine({ type: 'subscribed' }));
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
