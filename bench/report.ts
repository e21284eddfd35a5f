// Benchmark reports: a markdown section per benchmark in BENCHMARKS.md (replaced on each run, the others
// kept), headed by when, where and with which command the figures were produced.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt } from './stats.js';

export const BENCHMARKS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function toolVersion(file: string, args: string[], pattern: RegExp): string {
  // ldapmodify -VV prints its version on stderr.
  const run = spawnSync(file, args, { encoding: 'utf8', timeout: 10_000 });
  const out = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
  return pattern.exec(out)?.[1] ?? 'unknown';
}

export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  samba: string;
  ldapUtils: string;
  loadAverage: string;
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    samba: existsSync('/usr/sbin/samba') ? toolVersion('/usr/sbin/samba', ['-V'], /Version\s+(\S+)/) : 'not installed',
    ldapUtils: toolVersion('ldapmodify', ['-VV'], /ldapmodify\s+(\d\S*)/),
    loadAverage: os.loadavg().map((l) => fmt(l, 2)).join(' / '),
  };
}

export function machineLines(m: MachineInfo, command: string): string {
  return [
    `- Date: ${m.date}`,
    `- Machine: ${m.cpus} CPUs (${m.cpuModel}), ${fmt(m.memoryGiB, 1)} GiB memory, ${m.os}; load average at start (1/5/15 min): ${m.loadAverage}`,
    `- Software: Node ${m.node}, Samba ${m.samba} (AD DC, single process model), OpenLDAP ldap-utils ${m.ldapUtils}`,
    `- Command: \`${command}\``,
  ].join('\n');
}

const INTRO = `# Benchmarks

Benchmarks are not tests: they are run by hand (\`npm run bench -- <name>\`) on a machine prepared with
\`bash scripts/bootstrap.sh\`, against the same local peers as the tests (Samba AD DC on loopback, embedded
queue, Graph simulator). Each section below is replaced when its benchmark runs again; it names the command
that produced it. Run \`npm run bench -- --help\` for the options. The throughput baseline runs \`ldapmodify\`
(ldap-utils) inside \`unshare -m\` (util-linux; root, or unprivileged user namespaces) with a private hosts file,
so it can verify the DC certificate by name without touching /etc/hosts.
`;

/** Replaces (or appends) the section `name` of BENCHMARKS.md. */
export async function writeSection(name: string, body: string, file = BENCHMARKS_FILE): Promise<void> {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  let text = existsSync(file) ? await readFile(file, 'utf8') : INTRO;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) text = `${text.slice(0, from)}${block}${text.slice(to + end.length)}`;
  else text = `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
}

/** The command line as a person would type it (`npm run bench -- ...`). */
export function benchCommand(args: readonly string[]): string {
  return ['npm run bench --', ...args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
}
