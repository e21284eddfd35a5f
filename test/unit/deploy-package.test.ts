// What `azd deploy` ships to the Function App, checked offline: azure.yaml and .funcignore agree on the build
// (azd's rule for JavaScript/TypeScript function apps on Flex Consumption: `remoteBuild: true` requires
// .funcignore to exclude node_modules, `remoteBuild: false` forbids it), the upload holds what the remote
// `npm run build` needs and nothing of dev/, test/, bench/, docs/, relay/ or infra/, and the production code
// imports only packages from `dependencies`, so no devDependency is needed (or shipped) to run it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

const azureYamlSchema = z.object({
  services: z.object({ functions: z.object({ project: z.literal('.'), language: z.literal('ts'), host: z.literal('function'), remoteBuild: z.boolean().optional() }) }),
});
const packageJsonSchema = z.object({
  main: z.string(),
  scripts: z.object({ build: z.string() }).passthrough(),
  dependencies: z.record(z.string(), z.string()),
  devDependencies: z.record(z.string(), z.string()),
});

/**
 * The subset of .gitignore syntax the file may use (azd reads .funcignore as .gitignore): plain names with an
 * optional `*` and an optional trailing `/` (directories only), matched against every segment of a path.
 */
function ignoreRules(text: string): { patterns: string[]; ignores: (path: string) => boolean } {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const unsupported = patterns.filter((p) => p.startsWith('!') || p.replace(/\/$/, '').includes('/') || /[?[\]\\]/.test(p));
  if (unsupported.length > 0) throw new Error(`.funcignore uses syntax this check does not model: ${unsupported.join(', ')}`);
  const rules = patterns.map((p) => ({ dirOnly: p.endsWith('/'), re: new RegExp(`^${p.replace(/\/$/, '').replace(/[.+^${}()|]/g, '\\$&').replace(/\*/g, '[^/]*')}$`) }));
  const ignores = (path: string): boolean => {
    const segments = path.split('/');
    return segments.some((segment, i) => rules.some((r) => r.re.test(segment) && (!r.dirOnly || i < segments.length - 1)));
  };
  return { patterns, ignores };
}

let remoteBuild: boolean | undefined;
let ignores: (path: string) => boolean;
let tracked: string[];
let shipped: string[];
let pkg: z.infer<typeof packageJsonSchema>;

beforeAll(() => {
  remoteBuild = azureYamlSchema.parse(parseYaml(readFileSync(join(root, 'azure.yaml'), 'utf8'))).services.functions.remoteBuild;
  ignores = ignoreRules(readFileSync(join(root, '.funcignore'), 'utf8')).ignores;
  tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter((f) => f !== '');
  shipped = tracked.filter((f) => !ignores(f));
  pkg = packageJsonSchema.parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
});

describe('azure.yaml and .funcignore', () => {
  it('agree on a remote build: the upload carries no node_modules (and no local dist)', () => {
    expect(remoteBuild).toBe(true);
    expect(ignores('node_modules/@azure/functions/package.json')).toBe(true);
    expect(ignores('dist/functions/index.js')).toBe(true);
  });

  it('leave out the development folders, the relay and the infrastructure', () => {
    for (const folder of ['dev', 'test', 'bench', 'docs', 'relay', 'infra', 'scripts', '.tools', '.azure']) {
      expect(shipped.filter((f) => f.startsWith(`${folder}/`)), folder).toEqual([]);
      expect(ignores(`${folder}/any/file.ts`), folder).toBe(true);
    }
    expect(shipped.filter((f) => f.endsWith('.md'))).toEqual([]);
    expect(ignores('local.settings.json')).toBe(true);
  });

  it('ship what the remote `npm run build` compiles and the host reads', () => {
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    for (const file of ['package.json', 'package-lock.json', 'host.json', 'tsconfig.json', 'tsconfig.build.json']) {
      expect(shipped, file).toContain(file);
    }
    const sources = tracked.filter((f) => /^(functions|shared)\//.test(f));
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((f) => ignores(f))).toEqual([]);
    // The package's entry point is built from a shipped source.
    expect(pkg.main).toBe('dist/functions/index.js');
    expect(shipped).toContain('functions/index.ts');
  });
});

describe('production code', () => {
  it('imports only `dependencies` (or node: built-ins), so no devDependency is needed to run it', () => {
    const builtins = new Set(builtinModules);
    const wrong: string[] = [];
    for (const file of shipped.filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(root, file), 'utf8');
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'([^'.][^']*)'/g)) {
        const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
        if (specifier!.startsWith('node:') || builtins.has(name) || name in pkg.dependencies) continue;
        wrong.push(`${file}: ${specifier!}${name in pkg.devDependencies ? ' (a devDependency)' : ''}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
