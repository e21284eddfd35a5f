// How to reach a local host with gwb (docs/admin.md, "Against the local stack"): the lines to paste into a
// shell, with a Writeback.Admin token the Graph simulator mints (the local host checks it as Azure would),
// a Graph token for `gwb writeback`, and the simulator's certificate for Node to trust.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphSimulator } from '../graph-sim/index.js';

/** Long enough for a working session without signing in again (Entra's own tokens last about an hour). */
export const LOCAL_TOKEN_HOURS = 8;

export async function adminSignInLines(sim: GraphSimulator, hostUrl: string): Promise<string[]> {
  const expiresInSeconds = LOCAL_TOKEN_HOURS * 3600;
  const adminToken = sim.entra.mintToken({ roles: ['Writeback.Admin'], expiresInSeconds });
  const graphToken = sim.entra.mintToken({ roles: [], audience: 'https://graph.microsoft.com', scopes: ['Group.ReadWrite.All'], expiresInSeconds });
  const lines = [
    `gwb against this host (Writeback.Admin, valid ${LOCAL_TOKEN_HOURS} h; docs/admin.md):`,
    `  export GWB_URL=${hostUrl} GWB_TOKEN=${adminToken}`,
  ];
  if (sim.caPem !== null) {
    const caFile = join(tmpdir(), `graph-sim-${sim.port}-ca.pem`);
    await writeFile(caFile, sim.caPem);
    lines.push(`  export GWB_GRAPH_URL=${sim.baseUrl} GWB_GRAPH_TOKEN=${graphToken} NODE_EXTRA_CA_CERTS=${caFile}`);
  } else {
    lines.push(`  export GWB_GRAPH_URL=${sim.baseUrl} GWB_GRAPH_TOKEN=${graphToken}`);
  }
  lines.push('  npm run gwb -- status');
  return lines;
}
