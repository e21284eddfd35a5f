// `npm run graph-sim -- [--port N] [--tls] [--tenant <id>] [--page-size N] [--require-auth] [--permissions <list>]`:
// serves until killed and prints its base URL (and, with --tls, the certificate to trust).
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../shared/logging.js';
import { parseCommandLine } from '../command-line.js';
import { permissionsSchema } from './permissions.js';
import { startGraphSimulator } from './server.js';

const USAGE = `usage: npm run graph-sim -- [--port N] [--tls] [--tenant <guid>] [--page-size N] [--require-auth] [--permissions <list>]
  --port N          port on 127.0.0.1 (default 0: any free port)
  --tls             https with a self-signed certificate (the Graph client sends tokens only over https)
  --tenant <guid>   tenant id (default: a new one)
  --page-size N     items per delta page
  --require-auth    answer 401 without an Authorization: Bearer header
  --permissions P   the app's application permissions, comma-separated (default: infra/graph-permissions.json)
Serves until stopped (Ctrl+C). See dev/graph-sim/README.md.`;

const { values } = parseCommandLine(USAGE, {
  options: {
    port: { type: 'string', default: '0' },
    tenant: { type: 'string' },
    'page-size': { type: 'string' },
    tls: { type: 'boolean', default: false },
    'require-auth': { type: 'boolean', default: false },
    permissions: { type: 'string' },
  },
});

const sim = await startGraphSimulator({
  port: Number(values.port),
  tenantId: values.tenant,
  pageSize: values['page-size'] ? Number(values['page-size']) : undefined,
  tls: values.tls,
  requireAuth: values['require-auth'],
  permissions: values.permissions === undefined ? undefined : permissionsSchema.parse(values.permissions.split(',').map((p) => p.trim())),
  log: createLogger('graph-sim'),
});
console.log(`graph simulator: ${sim.baseUrl} (tenant ${sim.tenantId}); Graph at ${sim.baseUrl}/v1.0 and ${sim.baseUrl}/beta, control at ${sim.baseUrl}/_control`);
if (sim.caPem) {
  const caFile = join(tmpdir(), `graph-sim-${sim.port}-ca.pem`);
  await writeFile(caFile, sim.caPem);
  console.log(`certificate: ${caFile} (trust it with NODE_EXTRA_CA_CERTS=${caFile})`);
}
const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
