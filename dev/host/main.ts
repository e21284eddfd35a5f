// `npm run host`: the cloud side offline — Graph simulator (https, self-signed), embedded queue, state tables
// in Azurite (attached or started) and the local Functions host serving every function of
// functions/catalog.ts, timers on their schedules. Prints how to point gwb at it (admin-sign-in.ts).
//   HOST_PORT (default 7071), GRAPH_SIM_PORT (default any), LOG_LEVEL; HOST_MEMORY_TABLES=1 skips Azurite.
import { createAzureTableStore } from '../../shared/adapters/tables/index.js';
import { createLogger } from '../../shared/logging.js';
import { parseCommandLine } from '../command-line.js';
import { ensureAzurite, type Azurite } from '../stack/azurite.js';
import { adminSignInLines } from './admin-sign-in.js';
import { startFunctionsStack } from './functions-stack.js';

const USAGE = `usage: npm run host   (no options; settings come from the environment)
  HOST_PORT            port of the Functions host (default 7071)
  GRAPH_SIM_PORT       port of the Graph simulator (default: any free port)
  LOG_LEVEL            pino level (default info)
  HOST_MEMORY_TABLES=1 keep the state tables in memory instead of Azurite
Serves until stopped (Ctrl+C). Prints the lines that point gwb (the admin command line) at it, with a
Writeback.Admin token minted by the Graph simulator.`;

parseCommandLine(USAGE, { options: {} });
const log = createLogger('host');
const port = Number(process.env['HOST_PORT'] ?? 7071);
const simPort = process.env['GRAPH_SIM_PORT'] === undefined ? 0 : Number(process.env['GRAPH_SIM_PORT']);
const azurite: Azurite | undefined = process.env['HOST_MEMORY_TABLES'] === '1' ? undefined : await ensureAzurite({ log: log.child({ component: 'azurite' }) });

const stack = await startFunctionsStack({
  ...(azurite ? { tables: createAzureTableStore({ connectionString: azurite.connectionString }) } : {}),
  sim: { port: simPort, log: log.child({ component: 'graph-sim' }) },
  host: { port, timers: true },
  log: log.child({ component: 'functions' }),
});

log.info(
  {
    functions: `${stack.host.url}/api/`,
    // The status page with the dev sign-in: an admin token from the simulator, taken once from the fragment.
    statusPage: `${stack.host.url}/api/ui/#token=${stack.sim.entra.mintToken({ roles: ['Writeback.Admin'], expiresInSeconds: 12 * 3600 })}`,
    notificationUrl: stack.runtime.config.NOTIFICATION_URL,
    graph: stack.sim.baseUrl,
    control: `${stack.sim.baseUrl}/_control/`,
    tenantId: stack.sim.tenantId,
    tables: azurite?.tableEndpoint ?? 'in memory',
  },
  'local Functions host ready (Ctrl+C to stop)',
);
console.log((await adminSignInLines(stack.sim, stack.host.url)).join('\n'));

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  stack
    .close()
    .then(() => (azurite?.startedByThisProcess ? azurite.stop() : undefined))
    .then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'stop failed');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
