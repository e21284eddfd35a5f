// Reads the first pipe table under a markdown heading into rows keyed by column header, so tests can compare
// what the docs promise with what the templates do. Backticks are removed from cells.

/** Rows of the first table after the heading `## title` / `### title` (exact heading text). */
export function markdownTable(markdown: string, heading: string): Record<string, string>[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#{1,6} /.test(l) && l.replace(/^#{1,6} /, '').trim() === heading);
  if (start < 0) throw new Error(`heading "${heading}" not found`);
  let i = start + 1;
  while (i < lines.length && !lines[i]!.trimStart().startsWith('|')) {
    if (/^#{1,6} /.test(lines[i]!)) throw new Error(`no table under "${heading}"`);
    i++;
  }
  const tableLines: string[] = [];
  while (i < lines.length && lines[i]!.trimStart().startsWith('|')) tableLines.push(lines[i++]!.trim());
  if (tableLines.length < 2) throw new Error(`no table under "${heading}"`);
  const cells = (line: string): string[] =>
    line
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((c) => c.trim().replaceAll('`', ''));
  const header = cells(tableLines[0]!);
  return tableLines.slice(2).map((line) => {
    const values = cells(line);
    if (values.length !== header.length) throw new Error(`row has ${values.length} cells, header ${header.length}: ${line}`);
    return Object.fromEntries(header.map((h, k) => [h, values[k]!]));
  });
}
