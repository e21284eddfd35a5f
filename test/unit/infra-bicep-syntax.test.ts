// Every .bicep file under infra/ parses with a real Bicep grammar (tree-sitter-bicep) without ERROR or MISSING
// nodes. There is no Bicep compiler here, so this is the syntax gate; the other infra-*.test.ts files check meaning.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBicep, syntaxProblems, toGrammarDialect } from '../support/bicep.js';

const root = join(import.meta.dirname, '..', '..');
const infra = join(root, 'infra');

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(path);
    return entry.name.endsWith('.bicep') ? [path] : [];
  });
}

const files = bicepFiles(infra);

describe('Bicep syntax', () => {
  it('finds the templates', () => {
    expect(files.map((f) => relative(root, f)).sort()).toEqual(
      expect.arrayContaining(['infra/main.bicep', 'infra/modules/function-app.bicep']),
    );
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s parses without errors', async (_name, path) => {
    const file = await parseBicep(readFileSync(path, 'utf8'), path);
    expect(syntaxProblems(file.root)).toEqual([]);
  });

  it('reports a broken template (the check can fail)', async () => {
    const broken = "param name string =\nresource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {\n  name: 'x'\n";
    const problems = syntaxProblems((await parseBicep(broken)).root);
    expect(problems.length).toBeGreaterThan(0);
  });

  it('reports a real template with one closing brace removed', async () => {
    const source = readFileSync(join(infra, 'main.bicep'), 'utf8');
    const cut = source.lastIndexOf('\n}\n');
    const broken = source.slice(0, cut) + source.slice(cut + 2);
    expect(syntaxProblems((await parseBicep(broken)).root).length).toBeGreaterThan(0);
  });

  it('reports an unknown statement keyword', async () => {
    const problems = syntaxProblems((await parseBicep("extensionn microsoftGraphV1\nparam x string\n")).root);
    expect(problems.length).toBeGreaterThan(0);
  });

  it('rewrites only a bare `extension <alias>` line into the grammar\'s dialect', () => {
    expect(toGrammarDialect('extension microsoftGraphV1\nparam x string')).toBe("import 'microsoftGraphV1'\nparam x string");
    expect(toGrammarDialect('var extension = 1')).toBe('var extension = 1');
  });
});
