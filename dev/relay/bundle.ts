// Builds the relay as one file to install: dist/relay/relay.mjs (ESM, Node 22, every dependency inlined, so
// no node_modules on the relay host), with the service files and the relay's docs beside it
// (docs/relay.md, "Install"). `npm run relay:bundle`. esbuild comes with tsx (package.json devDependencies).
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');

/** Installed beside relay.mjs: what the service definitions and the install script expect. */
const SERVICE_FILES = [
  'relay/deploy/linux/group-writeback-relay.service',
  'relay/deploy/linux/relay.sample.json',
  'relay/deploy/windows/group-writeback-relay.xml',
  'relay/deploy/windows/install-relay-service.ps1',
];
const DOCS = ['docs/relay.md', 'docs/deployment.md'];

export interface RelayBundle {
  file: string;
  version: string;
  /** Imports left in the bundle: Node's own modules only. */
  external: string[];
}

export async function bundleRelay(outDir: string = join(root, 'dist', 'relay')): Promise<RelayBundle> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const file = join(outDir, 'relay.mjs');
  await rm(file, { force: true });
  const result = await build({
    entryPoints: [join(root, 'relay', 'main.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // CommonJS dependencies inlined into an ES module still call require() for Node's own modules.
    banner: { js: "import { createRequire as __relayRequire } from 'node:module'; const require = __relayRequire(import.meta.url);" },
    define: { __RELAY_VERSION__: JSON.stringify(pkg.version) },
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  const external = [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)))].sort();
  const foreign = external.filter((path) => !isBuiltin(path));
  if (foreign.length > 0) throw new Error(`the relay bundle would still need packages at run time: ${foreign.join(', ')}`);
  for (const source of SERVICE_FILES) {
    const target = join(outDir, basename(join(source, '..')), basename(source));
    await mkdir(join(target, '..'), { recursive: true });
    await copyFile(join(root, source), target);
  }
  await mkdir(join(outDir, 'docs'), { recursive: true });
  for (const doc of DOCS) await copyFile(join(root, doc), join(outDir, 'docs', basename(doc)));
  return { file, version: pkg.version, external };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bundle = await bundleRelay();
  console.log(`${bundle.file}: group-writeback relay ${bundle.version} (imports only Node's own modules)`);
}
