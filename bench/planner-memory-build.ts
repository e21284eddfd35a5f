// A bench child compiled to JavaScript (the planner-memory child, big's planner process), as Azure Functions run the planner (the deploy package is
// built with `tsc`, `npm run build`, and run by plain Node): the same sources, compiled by the same compiler
// and options into a temporary directory, so the child's RSS has no tsx compiling sources in the process.
// Packages resolve through a link to the repository's node_modules.
import { execFile } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Compiles bench/<script> (a .ts child) and what it imports into `dir`; returns the child's .js path. */
export async function compileBenchChild(root: string, dir: string, script: string): Promise<string> {
  const out = path.join(dir, 'out');
  const config = {
    extends: path.join(root, 'tsconfig.json'),
    // Type roots resolve from the config's own directory: name the repository's.
    compilerOptions: { noEmit: false, outDir: out, rootDir: root, sourceMap: false, typeRoots: [path.join(root, 'node_modules', '@types')] },
    files: [path.join(root, 'bench', script)],
    include: [],
  };
  const configFile = path.join(dir, 'tsconfig.json');
  await writeFile(configFile, JSON.stringify(config));
  await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', configFile], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  await symlink(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  return path.join(out, 'bench', script.replace(/\.ts$/, '.js'));
}
