// The benchmark helpers whose mistakes would silently skew a figure: the LDIF ldapmodify gets (same
// modifies as the relay), the percentiles, the BENCHMARKS.md section replacement, and what the big-group and
// throughput benchmarks read about processes (memory and scheduler statistics from /proc, CPU profile summary).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processMemory } from '../../bench/big-children.js';
import { measureDcSched } from '../../bench/dc-schedstat.js';
import { summarizeCpuProfile } from '../../bench/cpu-profile.js';
import { ldifLine, memberAddLdif } from '../../bench/ldapmodify.js';
import { writeSection } from '../../bench/report.js';
import { median, percentile } from '../../bench/stats.js';

describe('LDIF for ldapmodify', () => {
  it('base64-encodes values that are not LDIF safe strings (`<SID=...>` starts with "<")', () => {
    expect(ldifLine('member', '<SID=S-1-5-21-1-2-3-1001>')).toBe(`member:: ${Buffer.from('<SID=S-1-5-21-1-2-3-1001>').toString('base64')}`);
    expect(ldifLine('dn', 'CN=Bench x,OU=Groups,DC=writeback,DC=test')).toBe('dn: CN=Bench x,OU=Groups,DC=writeback,DC=test');
    expect(ldifLine('description', ' leading space')).toMatch(/^description:: /);
    expect(ldifLine('description', 'trailing ')).toMatch(/^description:: /);
    expect(ldifLine('description', 'Zürich')).toMatch(/^description:: /);
  });

  it('writes one modify record per chunk of member adds, in order', () => {
    const values = Array.from({ length: 5 }, (_, i) => `<SID=S-1-5-21-1-2-3-${1000 + i}>`);
    const ldif = memberAddLdif('CN=G,DC=x', values, 2);
    const records = ldif.trim().split('\n\n');
    expect(records).toHaveLength(3);
    const decoded = records.map((r) =>
      r.split('\n').map((line) => (line.startsWith('member:: ') ? `member: ${Buffer.from(line.slice(9), 'base64').toString()}` : line)),
    );
    expect(decoded[0]).toEqual(['dn: CN=G,DC=x', 'changetype: modify', 'add: member', `member: ${values[0]}`, `member: ${values[1]}`, '-']);
    expect(decoded[2]).toEqual(['dn: CN=G,DC=x', 'changetype: modify', 'add: member', `member: ${values[4]}`, '-']);
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i); // 1..200, unsorted
    expect(percentile(values, 50)).toBe(100);
    expect(percentile(values, 95)).toBe(190);
    expect(percentile(values, 99)).toBe(198);
    expect(percentile(values, 100)).toBe(200);
    expect(median([3, 1, 2])).toBe(2);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});

describe('BENCHMARKS.md sections', () => {
  it('appends a new section and replaces it later, keeping the rest of the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-report-'));
    try {
      const file = path.join(dir, 'BENCHMARKS.md');
      await writeFile(file, '# Benchmarks\n\nHand-written notes.\n');
      await writeSection('latency', '## Latency\nfirst', file);
      await writeSection('throughput', '## Throughput\nfirst', file);
      await writeSection('latency', '## Latency\nsecond', file);
      const text = await readFile(file, 'utf8');
      expect(text).toContain('Hand-written notes.');
      expect(text).toContain('<!-- bench:latency:start -->\n## Latency\nsecond\n<!-- bench:latency:end -->');
      expect(text).not.toContain('## Latency\nfirst');
      expect(text).toContain('## Throughput\nfirst');
      expect(text.indexOf('bench:latency:start')).toBeLessThan(text.indexOf('bench:throughput:start'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('CPU profile summary (big benchmark --profile)', () => {
  it('sums self time per source: project file, npm package, Node internals, V8 entries', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cpu-'));
    try {
      const frame = (functionName: string, url: string) => ({ functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 });
      const nodes = [
        { id: 1, callFrame: frame('(root)', ''), hitCount: 0 },
        { id: 2, callFrame: frame('plan', 'file:///repo/shared/app/round/run-round.ts'), hitCount: 3 },
        { id: 3, callFrame: frame('parse', 'file:///repo/node_modules/@azure/data-tables/dist/index.js'), hitCount: 4 },
        { id: 4, callFrame: frame('other', 'file:///repo/node_modules/@azure/data-tables/dist/other.js'), hitCount: 2 },
        { id: 5, callFrame: frame('read', 'node:internal/fs/promises'), hitCount: 1 },
        { id: 6, callFrame: frame('(garbage collector)', ''), hitCount: 5 },
      ];
      // 15 samples over 15 ms: 1 ms a sample.
      await writeFile(path.join(dir, 'x.cpuprofile'), JSON.stringify({ nodes, startTime: 0, endTime: 15_000, samples: Array.from({ length: 15 }, () => 2), timeDeltas: [] }));
      expect(await summarizeCpuProfile(dir, '/repo')).toEqual([
        { source: '@azure/data-tables', ms: 6 },
        { source: '(garbage collector)', ms: 5 },
        { source: 'shared/app/round/run-round.ts', ms: 3 },
        { source: 'node internals', ms: 1 },
        { source: '(root)', ms: 0 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('process memory from /proc (big benchmark)', () => {
  it('reads the resident set and its peak in bytes', () => {
    const { rss, peakRss } = processMemory(process.pid);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(peakRss).toBeGreaterThanOrEqual(rss);
    // Same order of magnitude as Node's own figure.
    expect(Math.abs(rss - process.memoryUsage().rss)).toBeLessThan(rss / 2);
  });
});

describe('DC scheduler statistics from /proc (throughput benchmark)', () => {
  it('measures the time a process spent on a CPU in milliseconds, and nothing for an unknown process', () => {
    const measure = measureDcSched(process.pid);
    const cpu0 = process.cpuUsage();
    const until = performance.now() + 60;
    while (performance.now() < until); // on a CPU for ~60 ms
    const spent = measure();
    const used = process.cpuUsage(cpu0);
    const cpuMs = (used.user + used.system) / 1000;
    expect(spent).not.toBeNull();
    // The same order as Node's own CPU figure (schedstat counts the main thread, where the loop ran).
    expect(spent!.busyMs).toBeGreaterThan(cpuMs / 2);
    expect(spent!.busyMs).toBeLessThan(cpuMs * 2 + 20);
    expect(spent!.cpuWaitMs).toBeGreaterThanOrEqual(0);
    expect(measureDcSched(null)()).toBeNull();
    expect(measureDcSched(2 ** 31 - 1)()).toBeNull();
  });
});
