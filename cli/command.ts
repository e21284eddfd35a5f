// One gwb command: its name, a line for `gwb --help`, its usage (with an example), its options, how many
// arguments it takes, and what it does. Exit codes: cli/command-line.ts.
import type { ParseArgsOptionsConfig } from 'node:util';
import type { CommandLine } from './command-line.js';
import type { CommandContext } from './context.js';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: ParseArgsOptionsConfig;
  /** Arguments after the name (and a subcommand's own name): at least, at most. */
  args: readonly [number, number];
  run(ctx: CommandContext, line: CommandLine): Promise<number>;
}

export interface UsageParts {
  synopsis: string;
  about: string;
  options?: readonly string[];
  examples: readonly string[];
}

/** The usage text every command prints the same way. */
export function usageText(p: UsageParts): string {
  const parts = [`usage: gwb ${p.synopsis}`, '', p.about];
  if (p.options !== undefined && p.options.length > 0) parts.push('', 'options:', ...p.options.map((o) => `  ${o}`));
  parts.push('', p.examples.length > 1 ? 'examples:' : 'example:', ...p.examples.map((e) => `  ${e}`));
  parts.push('', 'global options: --url, --audience, --tenant, --json (gwb --help)');
  return parts.join('\n');
}
