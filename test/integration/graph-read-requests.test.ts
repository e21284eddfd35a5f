// The Graph directory reader against the simulator: readGroups names the groups of each $batch request as it
// sends it (the round's recording reader takes each group's read time from it: poke coalescing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { GraphDirectoryReader } from '../../shared/adapters/graph/directory.js';
import { silentLogger } from '../../shared/logging.js';

const G = (n: number): string => `c1000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe('readGroups', () => {
  it('calls onRequest once per $batch, with its groups, before the answers are in', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => G(i + 1));
    for (const id of ids) sim.control.createGroup({ id, displayName: id, kind: 'security' });
    const reader = new GraphDirectoryReader(createGraphClient({ baseUrl: sim.baseUrl }), { baseUrl: sim.baseUrl, log: silentLogger(), concurrency: 1 });
    const requests: string[][] = [];
    const reads = await reader.readGroups(ids, (batch) => {
      requests.push([...batch]);
      expect(sim.requests.snapshot().inBatch).toBe((requests.length - 1) * 20);
    });
    expect(requests.map((r) => r.length)).toEqual([20, 20, 5]);
    expect(requests.flat().sort()).toEqual([...ids].sort());
    expect([...reads.values()].every((r) => r.kind === 'found')).toBe(true);
  });
});
