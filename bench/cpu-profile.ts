// Where a benchmark child process spent its CPU: the V8 profile Node writes with --cpu-prof, summed by self
// time per source (a project file, an npm package, Node's internals, or V8's own entries such as GC).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: z.object({ functionName: z.string(), url: z.string() }), hitCount: z.number().optional() })),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
});

export interface CpuShare {
  source: string;
  ms: number;
}

/** `…/node_modules/@azure/data-tables/…` -> `@azure/data-tables`; project files relative to `root`. */
function sourceOf(url: string, functionName: string, root: string): string {
  // V8's own entries come parenthesised: (garbage collector), (program), (idle), (root).
  if (url === '') return functionName.startsWith('(') ? functionName : `(${functionName || 'anonymous'})`;
  if (url.startsWith('node:')) return 'node internals';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg?.[1]) return pkg[1];
  return path.relative(root, file);
}

/** Self time by source, largest first, of the one .cpuprofile in `dir`. */
export async function summarizeCpuProfile(dir: string, root: string): Promise<CpuShare[]> {
  const name = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!name) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = profileSchema.parse(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
  const msPerSample = profile.samples.length > 0 ? (profile.endTime - profile.startTime) / 1000 / profile.samples.length : 0;
  const bySource = new Map<string, number>();
  for (const node of profile.nodes) {
    const source = sourceOf(node.callFrame.url, node.callFrame.functionName, root);
    bySource.set(source, (bySource.get(source) ?? 0) + (node.hitCount ?? 0) * msPerSample);
  }
  return [...bySource].map(([source, ms]) => ({ source, ms })).sort((a, b) => b.ms - a.ms);
}
