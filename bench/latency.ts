// End-to-end latency: from a change in the Graph simulator (which starts the notification POST in the same
// tick) to the change committed in AD by the relay (the `at` of the relay's result message, taken after its
// LDAP write succeeded), through the whole local pipeline: webhook -> poke queue -> planChanges (delta round,
// Graph reads, plan) -> writeback queue -> relay -> Samba -> writeback-results -> recordResults.
// Changes are applied one at a time: each waits for its result, is checked in AD, and the pipeline settles
// before the next, so every sample is one clean change without queueing behind another.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { escapeFilter, type Client } from 'ldapts';
import { startLocalStack, type LocalStack } from '../dev/stack/local-stack.js';
import { resultMessageSchema, type ResultMessage } from '../shared/contracts/result-message.js';
import { groupAnchor } from '../shared/domain/naming.js';
import { createLogger } from '../shared/logging.js';
import { benchUsersOu, ensureBenchUsers } from './bench-users.js';
import { machineInfo, machineLines, markdownTable } from './report.js';
import { fmt, mean, median, percentile } from './stats.js';

export type ChangeKind = 'attribute' | 'member' | 'create';
export const CHANGE_KINDS: readonly ChangeKind[] = ['attribute', 'member', 'create'];

export interface LatencyOptions {
  /** Changes per kind. */
  perKind: number;
  kinds: readonly ChangeKind[];
  /** Members of each created group. */
  createMembers: number;
  /** Give up on one change after this long. */
  changeTimeoutMs: number;
  /** Leave the DC running afterwards (the local stack stops one it started otherwise). */
  keepDc: boolean;
  progress: (line: string) => void;
}

interface Sample {
  kind: ChangeKind;
  /** Directory change made in the simulator (notification POST starts in the same tick). */
  latencyMs: number;
  /** Change -> the webhook answered the notification POST (202: poke enqueued). */
  notifiedMs: number | null;
  /** Change -> the relay began applying the message (its result's `at` minus its durationMs): notification,
   *  webhook, poke queue, planChanges (delta round, Graph reads, plan, send) and the writeback queue. */
  relayStartMs: number;
  /** The relay's own time for the message (LDAP lookups and writes), from its result. */
  relayMs: number;
  /** Relay messages for this change. */
  results: number;
}

export interface LatencyResult {
  samples: Sample[];
  failures: string[];
  wallMs: number;
  markdown: string;
}

interface Expectation {
  groupId: string;
  done: (r: ResultMessage) => boolean;
  resolve: (r: ResultMessage) => void;
  results: number;
}

/** Collects the pipeline's settlement events so each change can wait for its own result. */
class PipelineWatch {
  private expectation: Expectation | null = null;
  constructor(stack: LocalStack) {
    stack.host.onSettled(({ functionName, message }) => {
      if (functionName !== 'recordResults') return;
      const parsed = resultMessageSchema.safeParse(message.body);
      const e = this.expectation;
      if (!parsed.success || !e || parsed.data.groupId !== e.groupId) return;
      e.results += 1;
      if (e.done(parsed.data)) {
        this.expectation = null;
        e.resolve(parsed.data);
      }
    });
  }

  /** Must be called before the change is made (a fast pipeline could otherwise answer first). */
  expect(groupId: string, done: (r: ResultMessage) => boolean, timeoutMs: number): { result: Promise<ResultMessage>; count: () => number } {
    let expectation!: Expectation;
    const result = new Promise<ResultMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.expectation === expectation) this.expectation = null;
        reject(new Error(`no matching relay result for group ${groupId} within ${timeoutMs} ms (${expectation.results} other results)`));
      }, timeoutMs);
      expectation = {
        groupId,
        done,
        results: 0,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
    });
    this.expectation = expectation;
    return { result, count: () => expectation.results };
  }
}

interface AdGroupState {
  description: string | null;
  displayName: string | null;
  members: string[];
}

async function readGroup(ad: Client, base: string, groupId: string): Promise<AdGroupState | null> {
  const { searchEntries } = await ad.search(base, {
    scope: 'sub',
    filter: escapeFilter`(&(objectClass=group)(adminDescription=${groupAnchor(groupId)}))`,
    attributes: ['description', 'displayName', 'member'],
  });
  const e = searchEntries[0];
  if (!e) return null;
  const one = (v: unknown): string | null => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null);
  const member = e['member'];
  return {
    description: one(e['description']),
    displayName: one(e['displayName']),
    members: (Array.isArray(member) ? member : member === undefined ? [] : [member]).map(String).map((m) => m.toLowerCase()),
  };
}

/** When the webhook answered the first notification about `groupId` delivered after `sinceMs`. */
function notifiedAt(stack: LocalStack, groupId: string, sinceMs: number): number | null {
  const id = groupId.toLowerCase();
  let best: number | null = null;
  for (const d of stack.sim.control.deliveries()) {
    if (d.kind !== 'change' || !JSON.stringify(d.payload).toLowerCase().includes(id)) continue;
    for (const a of d.attempts) {
      const at = Date.parse(a.at);
      if (a.status !== null && a.status >= 200 && a.status < 300 && at >= sinceMs && (best === null || at < best)) best = at;
    }
  }
  return best;
}

export async function runLatency(opts: LatencyOptions, command: string): Promise<LatencyResult> {
  const machine = machineInfo();
  const log = createLogger('bench-latency', process.env['LOG_LEVEL'] ?? 'warn');
  const memberChanges = opts.kinds.includes('member') ? opts.perKind : 0;
  const stack = await startLocalStack({ name: 'bench-latency', log, keepDc: opts.keepDc });
  const samples: Sample[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  try {
    opts.progress(`local stack up (run OU ${stack.runOu}); preparing synced users`);
    const poolSize = Math.max(memberChanges, opts.createMembers) + 1;
    const { users } = await ensureBenchUsers(stack.dc, poolSize);
    const usersOu = benchUsersOu(stack.dc).toLowerCase();
    // The same people in the cloud, synced from AD: their onPremisesSecurityIdentifier is the AD SID.
    const cloudUsers = users.map((u) => ({
      ...u,
      dn: `cn=${u.sam},${usersOu}`,
      id: String(stack.sim.control.createUser({ displayName: u.sam, synced: { securityIdentifier: u.sid, samAccountName: u.sam } })['id']),
    }));
    await stack.subscribe();
    const watch = new PipelineWatch(stack);

    // Targets: one group for attribute changes, one (initially empty) for member additions.
    const attrGroup = String(stack.sim.control.createGroup({ displayName: 'Bench latency attributes', kind: 'm365', members: [cloudUsers[0]!.id] })['id']);
    const memberGroup = String(stack.sim.control.createGroup({ displayName: 'Bench latency members', kind: 'm365' })['id']);
    await stack.settle();
    for (const g of [attrGroup, memberGroup]) {
      if (!(await readGroup(stack.ad, stack.writebackOu, g))) throw new Error(`setup: group ${g} was not written back (is planChanges registered?)`);
    }
    opts.progress('target groups written back; measuring');

    let nextMember = 1;
    const createMembers = cloudUsers.slice(0, opts.createMembers);
    const total = opts.perKind * opts.kinds.length;
    for (let i = 0; i < opts.perKind; i += 1) {
      for (const kind of opts.kinds) {
        const n = samples.length + failures.length + 1;
        try {
          let check: () => Promise<string | null>;
          let expectation: ReturnType<PipelineWatch['expect']>;
          let start: number;
          if (kind === 'attribute') {
            const attribute = i % 2 === 0 ? 'description' : 'displayName';
            const value = `Bench ${attribute} ${i} ${Date.now()}`;
            expectation = watch.expect(attrGroup, (r) => r.outcome === 'applied', opts.changeTimeoutMs);
            start = Date.now();
            stack.sim.control.updateGroup(attrGroup, { properties: { [attribute]: value } });
            check = async () => {
              const g = await readGroup(stack.ad, stack.writebackOu, attrGroup);
              return g?.[attribute] === value ? null : `${attribute} in AD is ${JSON.stringify(g?.[attribute])}, expected ${JSON.stringify(value)}`;
            };
          } else if (kind === 'member') {
            const user = cloudUsers[nextMember++]!;
            expectation = watch.expect(memberGroup, (r) => r.membersAdded > 0 && r.outcome === 'applied', opts.changeTimeoutMs);
            start = Date.now();
            stack.sim.control.addMembers(memberGroup, [user.id]);
            check = async () => {
              const g = await readGroup(stack.ad, stack.writebackOu, memberGroup);
              return g?.members.includes(user.dn) ? null : `${user.sam} is not a member in AD`;
            };
          } else {
            const id = randomUUID();
            expectation = watch.expect(id, (r) => r.ad !== null && r.outcome === 'applied' && r.membersAdded >= createMembers.length, opts.changeTimeoutMs);
            start = Date.now();
            stack.sim.control.createGroup({ id, displayName: `Bench latency create ${i}`, kind: 'm365', members: createMembers.map((u) => u.id) });
            check = async () => {
              const g = await readGroup(stack.ad, stack.writebackOu, id);
              if (!g) return 'the group is not in AD';
              return createMembers.every((u) => g.members.includes(u.dn)) ? null : `AD holds ${g.members.length} of ${createMembers.length} members`;
            };
          }
          const result = await expectation.result;
          const committed = Date.parse(result.at);
          const wrong = await check();
          if (wrong) throw new Error(`change committed but AD disagrees: ${wrong}`);
          const notified = notifiedAt(stack, result.groupId, start);
          samples.push({
            kind,
            latencyMs: committed - start,
            notifiedMs: notified === null ? null : notified - start,
            relayStartMs: committed - result.durationMs - start,
            relayMs: result.durationMs,
            results: expectation.count(),
          });
        } catch (error) {
          failures.push(`${kind} #${i + 1}: ${(error as Error).message}`);
          if (failures.length > 5) throw new Error(`too many failed changes:\n${failures.join('\n')}`);
        }
        await stack.settle(60_000);
        if (n % 50 === 0 || n === total) {
          const recent = samples.slice(-50).map((s) => s.latencyMs);
          opts.progress(`${n}/${total} changes; last 50: p50 ${fmt(median(recent))} ms, max ${fmt(Math.max(...recent))} ms`);
        }
      }
    }
  } finally {
    await stack.stop().catch((error: unknown) => opts.progress(`stack stop failed: ${(error as Error).message}`));
  }
  const wallMs = performance.now() - t0;
  return { samples, failures, wallMs, markdown: latencyMarkdown(samples, failures, opts, wallMs, machineLines(machine, command)) };
}

function row(label: string, s: readonly Sample[]): string[] {
  const l = s.map((x) => x.latencyMs);
  const stage = (pick: (x: Sample) => number | null): string => {
    const v = s.map(pick).filter((x): x is number => x !== null);
    return v.length === 0 ? 'n/a' : fmt(median(v));
  };
  return [
    label,
    fmt(s.length),
    fmt(percentile(l, 50)),
    fmt(percentile(l, 95)),
    fmt(percentile(l, 99)),
    fmt(Math.max(...l)),
    fmt(mean(l)),
    stage((x) => x.notifiedMs),
    stage((x) => x.relayStartMs),
    stage((x) => x.relayMs),
  ];
}

export function latencyMarkdown(samples: readonly Sample[], failures: readonly string[], opts: Omit<LatencyOptions, 'progress'>, wallMs: number, machine: string): string {
  const kinds = opts.kinds.filter((k) => samples.some((s) => s.kind === k));
  const label: Record<ChangeKind, string> = {
    attribute: 'single attribute (description / displayName)',
    member: 'single member added (synced user)',
    create: `create (new Microsoft 365 group, ${opts.createMembers} members)`,
  };
  const rows = kinds.map((k) => row(label[k], samples.filter((s) => s.kind === k)));
  rows.push(row('**all changes**', samples));
  const p99 = percentile(samples.map((s) => s.latencyMs), 99);
  return [
    '## End-to-end latency (Graph change -> committed in AD)',
    '',
    machine,
    '',
    [
      `${fmt(samples.length)} changes (${opts.perKind} per kind, round robin), applied one at a time: each waits for its relay`,
      'result, is checked in AD, and the pipeline settles before the next. Start: the change in the Graph simulator',
      '(it starts the notification POST in the same tick). End: the `at` of the relay result message (stamped after the',
      'LDAP write succeeded). Stage columns are medians: from the same start to the webhook\'s 202 (poke enqueued) and to',
      'the relay starting on the message (result `at` minus its durationMs: everything before the relay -- webhook, poke',
      'queue, planChanges with its delta round and Graph reads, writeback queue); "relay apply" is the relay\'s own time',
      `for the message (find by anchor, update, member checks and writes). Wall time ${fmt(wallMs / 1000)} s.`,
    ].join(' '),
    '',
    markdownTable(['Change', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms', 'webhook 202 (median ms)', 'relay start (median ms)', 'relay apply (median ms)'], rows),
    '',
    `**p99 over all changes: ${fmt(p99)} ms** -- ${p99 < 2000 ? 'meets' : 'MISSES'} the target (p99 < 2 s).` +
      (failures.length > 0 ? ` ${failures.length} change(s) failed and are not in the figures: ${failures.join('; ')}` : ''),
  ].join('\n');
}
