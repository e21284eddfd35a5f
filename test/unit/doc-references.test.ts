// Every document a comment or doc names exists in the repo: markdown file names and docs/ paths found in
// functions/, shared/, relay/, cli/, dev/, bench/, test/, docs/ and the top-level docs. A bare file name must be a
// file somewhere in the repo; a path must resolve, inside the repo, from the root or from the naming file's
// folder (relative markdown links). Documents kept outside the repo do not count: readers cannot open them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const SCANNED = ['functions', 'shared', 'relay', 'cli', 'dev', 'bench', 'test', 'docs', 'README.md', 'BENCHMARKS.md', '.dependency-cruiser.cjs'];
const TEXT_FILE = /\.(ts|md|cjs|js|json)$/;
const NOT_SOURCE = new Set(['node_modules', 'dist', '.tools', '.git']);

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !NOT_SOURCE.has(name))
    .flatMap((name) => filesUnder(join(path, name)));
}

/** Markdown file names (bare, relative or absolute) and docs/ paths; anchors and trailing dots are not part of them. */
function documentReferences(line: string): string[] {
  const markdown = line.matchAll(/(?<![\w./-])(?:\/|(?:\.{1,2}\/)*)[\w-][\w./-]*\.md\b/g);
  const docsPaths = line.matchAll(/(?<![\w./-])docs\/[\w./-]*[\w-]/g);
  return [...new Set([...markdown, ...docsPaths].map((m) => m[0]))];
}

function resolves(ref: string, namingFile: string, fileNames: ReadonlySet<string>): boolean {
  if (!ref.includes('/')) return fileNames.has(ref);
  const inRepo = (p: string): boolean => !relative(root, p).startsWith('..') && existsSync(p);
  return !ref.startsWith('/') && (inRepo(join(root, ref)) || inRepo(join(dirname(namingFile), ref)));
}

describe('document references', () => {
  it('finds markdown names and docs/ paths, and refuses what the repo does not hold', () => {
    const names = new Set(['README.md']);
    const missing = 'missing-page' + '.md';
    expect(documentReferences(`see docs/graph.md#paging, README.md and ${missing}.`)).toEqual(['docs/graph.md', 'README.md', missing]);
    expect(documentReferences('the docs folder; graph-sim/README.mdx')).toEqual([]);
    const here = join(root, 'docs', 'architecture.md');
    expect(resolves('README.md', here, names)).toBe(true);
    expect(resolves(missing, here, names)).toBe(false);
    expect(resolves('relay.md', here, new Set())).toBe(false);
    expect(resolves('./relay' + '.md', here, new Set())).toBe(true);
    expect(resolves('docs/relay.md', here, new Set())).toBe(true);
    expect(resolves('../shared/scenario-format' + '.md', join(root, 'README.md'), new Set())).toBe(false);
    expect(resolves('/work/shared/DESIGN' + '.md', here, new Set())).toBe(false);
  });

  it('every document named in code comments and docs exists in the repo', () => {
    const fileNames = new Set(filesUnder(root).map((f) => basename(f)));
    const broken: string[] = [];
    for (const file of SCANNED.flatMap((p) => filesUnder(join(root, p))).filter((f) => TEXT_FILE.test(f))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const ref of documentReferences(line)) {
            if (!resolves(ref, file, fileNames)) broken.push(`${relative(root, file)}:${i + 1}: ${ref}`);
          }
        });
    }
    expect(broken).toEqual([]);
  });
});
