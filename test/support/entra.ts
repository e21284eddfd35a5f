// Admin sign-in for tests: the Graph simulator's Entra part serves the tenant's signing keys and mints admin
// tokens (dev/graph-sim/entra.ts); a local runtime pointed at it (graphBaseUrl) checks them as in Azure.
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { trustSimulatorCertificate } from '../../dev/graph-sim/trust.js';
import type { AdminRole } from '../../shared/security/admin-token.js';

export interface TestEntra {
  sim: GraphSimulator;
  /** Authorization header of an admin holding `roles` (default: Writeback.Admin). */
  headers(roles?: AdminRole[]): Record<string, string>;
  close(): Promise<void>;
}

export async function startTestEntra(tenantId: string): Promise<TestEntra> {
  const sim = await startGraphSimulator({ tenantId, tls: true });
  if (sim.caPem) trustSimulatorCertificate(sim.caPem);
  return {
    sim,
    headers: (roles = ['Writeback.Admin']) => ({ authorization: `Bearer ${sim.entra.mintToken({ roles })}` }),
    close: () => sim.close(),
  };
}
