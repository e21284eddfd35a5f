// Relay memory: one group of N members (default 1,000,000) through the relay alone, to show its memory
// stays bounded however big the group. The planner's snapshot parts (split under the message budget, the
// member refs marked as users as the planner marks them) are enqueued at once on an embedded queue held
// by this process; the relay runs as its own process (relay-memory-child.ts) against the shared Samba DC
// in staging mode: it looks the group up, applies every part as it arrives (computes, writes nothing) and
// reports. The members' SIDs are made up (no such objects): staging with user refs asks the DC almost
// nothing, so the run does not load the shared DC. Measured from the first enqueue until every result.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedBroker } from '../dev/queue/index.js';
import { startRemoteQueueServer } from '../dev/queue/remote-server.js';
import { delegateWritebackOu, ensureRelayAccount } from '../dev/stack/relay-account.js';
import { ensureSambaDc, stopSambaDcIfStartedByRun } from '../dev/stack/samba.js';
import { peerUserId } from '../dev/stack/peer-users.js';
import { isHeartbeatBody } from '../shared/contracts/heartbeat-message.js';
import { isProgressBody, resultMessageSchema, type ResultMessage } from '../shared/contracts/result-message.js';
import { writebackMessageId } from '../shared/contracts/writeback-message.js';
import { MESSAGE_BODY_BUDGET_BYTES } from '../shared/domain/limits.js';
import type { MemberRef } from '../shared/domain/model.js';
import { refsOf, splitSnapshot } from '../shared/domain/split.js';
import { silentLogger } from '../shared/logging.js';
import { splitForSend } from '../shared/ports/queue.js';
import { benchHeader } from './bench-group.js';
import { adminClient, ensureOu } from './bench-users.js';
import { groupsOu } from './member-throughput.js';
import { BIND_PASSWORD_ENV } from './relay-child-protocol.js';
import { MEMORY_RESULT_PREFIX, READY_LINE, memoryChildOutputSchema, type MemoryChildInput, type MemoryChildOutput } from './relay-memory-protocol.js';
import { machineInfo, machineLines, markdownTable } from './report.js';
import { fmt, mib } from './stats.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const WRITEBACK = 'writeback';
const RESULTS = 'writeback-results';
/** A domain that is not the DC's: no member exists, and none is looked up (user refs in staging mode). */
const MADE_UP_DOMAIN = 'S-1-5-21-3623811015-3361044348-30300820';

export interface RelayMemoryOptions {
  members: number;
  timeoutMs: number;
  keepDc: boolean;
  progress: (line: string) => void;
}

export interface RelayMemoryResult extends MemoryChildOutput {
  members: number;
  parts: number;
  ms: number;
  outcomes: Record<string, number>;
  markdown: string;
}

function memberRefs(n: number): MemberRef[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'sid', cloudId: randomUUID(), sid: `${MADE_UP_DOMAIN}-${100_000 + i}`, objectType: 'user' }));
}

interface Child {
  ready: Promise<void>;
  stop: () => Promise<MemoryChildOutput>;
}

function startChild(inputFile: string, password: string, progress: (line: string) => void): Child {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', 'relay-memory-child.ts'), inputFile], {
    cwd: ROOT,
    env: { ...process.env, [BIND_PASSWORD_ENV]: password },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (stdout.includes(READY_LINE)) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-8000);
    for (const line of d.split('\n')) {
      if (!line.includes('"member progress"')) continue;
      const p = JSON.parse(line) as { done: number; total: number; perSecond: number; stage: string };
      progress(`  relay: ${fmt(p.done)} of ${fmt(p.total)} members, ${fmt(p.perSecond)}/s, ${p.stage}`);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const failed = exited.then((code) => Promise.reject(new Error(`relay child exited (${code}):\n${stderr.trim()}`)));
  return {
    ready: Promise.race([ready, failed]),
    stop: async () => {
      child.stdin.end('stop\n');
      const code = await exited;
      const line = stdout.split('\n').find((l) => l.startsWith(MEMORY_RESULT_PREFIX));
      if (code !== 0 || !line) throw new Error(`relay child failed (exit ${code}):\n${stderr.trim()}`);
      return memoryChildOutputSchema.parse(JSON.parse(line.slice(MEMORY_RESULT_PREFIX.length)));
    },
  };
}

export async function runRelayMemory(opts: RelayMemoryOptions, command: string): Promise<RelayMemoryResult> {
  const machine = machineInfo();
  const dc = await ensureSambaDc({ keep: opts.keepDc });
  const admin = await adminClient(dc);
  const broker = new EmbeddedBroker({ queues: { [WRITEBACK]: { requiresSession: true }, [RESULTS]: { requiresSession: false } } });
  const queue = broker.client();
  const server = await startRemoteQueueServer(queue, silentLogger());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gwb-relay-memory-'));
  try {
    await ensureOu(admin, groupsOu(dc));
    const account = await ensureRelayAccount(admin, dc);
    await delegateWritebackOu(admin, groupsOu(dc), account);
    const groupId = randomUUID();
    const env = { tenantId: randomUUID(), groupId, header: benchHeader(groupId) };
    const messages = splitSnapshot(env, 1, refsOf(memberRefs(opts.members)), MESSAGE_BODY_BUDGET_BYTES);
    opts.progress(`${fmt(opts.members)} members in ${fmt(messages.length)} snapshot parts; starting the relay (staging mode)`);

    const input: MemoryChildInput = { url: dc.url, tlsServerName: dc.tlsServerName, caFile: dc.caFile, bindDn: account.bindDn, writebackOu: groupsOu(dc), queueUrl: server.url };
    const inputFile = path.join(dir, 'input.json');
    await writeFile(inputFile, JSON.stringify(input), { mode: 0o600 });
    const child = startChild(inputFile, account.password, opts.progress);
    await child.ready;

    const sender = queue.sender(WRITEBACK);
    const results = queue.receiver(RESULTS);
    const t0 = performance.now();
    for (const send of splitForSend(messages.map((m) => ({ messageId: writebackMessageId(m.groupId, m.seq), sessionId: m.groupId, body: m })))) {
      await sender.send(send);
    }
    const received: ResultMessage[] = [];
    const deadline = Date.now() + opts.timeoutMs;
    while (received.length < messages.length) {
      if (Date.now() > deadline) throw new Error(`only ${received.length} of ${messages.length} results within ${opts.timeoutMs} ms`);
      for (const r of await results.receive(500, 1_000)) {
        // Heartbeats and the relay's progress reports share the queue with the results.
        if (!isHeartbeatBody(r.body) && !isProgressBody(r.body)) received.push(resultMessageSchema.parse(r.body));
        await results.complete(r);
      }
    }
    const ms = performance.now() - t0;
    const out = await child.stop();
    await sender.close();
    await results.close();

    const outcomes: Record<string, number> = {};
    for (const r of received) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const result = { ...out, members: opts.members, parts: messages.length, ms, outcomes };
    return { ...result, markdown: relayMemoryMarkdown(result, machineLines(machine, command)) };
  } finally {
    await server.close();
    await queue.close();
    await admin.unbind().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if (!opts.keepDc && (await stopSambaDcIfStartedByRun(peerUserId()))) opts.progress('stopped the Samba DC this run started');
  }
}

function relayMemoryMarkdown(r: Omit<RelayMemoryResult, 'markdown'>, machine: string): string {
  const perMember = (r.peakRss - r.baseRss) / r.members;
  return [
    '## Relay memory (one big group through the relay alone)',
    '',
    machine,
    `- Setup: ${fmt(r.members)} members (made-up SIDs, marked as users) in ${fmt(r.parts)} snapshot parts of at most ` +
      `${fmt(MESSAGE_BODY_BUDGET_BYTES / 1024)} KiB, enqueued at once on an embedded queue in the benchmark process; the relay in its own ` +
      "process (the product's startRelay, queue over loopback) in staging mode: it looks the group up, applies each part as it " +
      'arrives (computes, writes nothing: the run does not load the shared DC) and reports every part. Time from the first enqueue to the last result.',
    '',
    markdownTable(
      ['Members', 'Parts', 'Time', 'Members/s', 'Peak RSS', 'RSS at start', 'Peak heap', 'Max RSS (getrusage)', 'Peak RSS over start, per member', 'Relay CPU', 'Outcomes', 'Progress log lines'],
      [
        [
          fmt(r.members),
          fmt(r.parts),
          `${fmt(r.ms / 1000, 1)} s`,
          fmt(r.members / (r.ms / 1000)),
          mib(r.peakRss),
          mib(r.baseRss),
          mib(r.peakHeap),
          mib(r.maxRss),
          `${fmt(perMember, 1)} B`,
          `${fmt(r.cpuMs / 1000, 1)} s`,
          Object.entries(r.outcomes)
            .map(([k, v]) => `${v} ${k}`)
            .join(', '),
          fmt(r.progressLines),
        ],
      ],
    ),
  ].join('\n');
}
