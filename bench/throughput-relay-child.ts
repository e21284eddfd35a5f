// The relay side of the member-throughput benchmark, in its own process so its memory is the relay's alone:
// an embedded queue, the relay started as in the local stack, the messages the planner would produce for a
// new group with these members (split under the message budget), enqueued at once. Measures from the first
// enqueue until every result message has arrived; samples memory meanwhile; counts LDAP operations by kind and
// reads how the DC spent the time (bench/dc-schedstat.ts).
// Input: a JSON file named by argv[2]; the bind password in WRITEBACK_BENCH_BIND_PASSWORD.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { localRelayConfig } from '../dev/stack/relay-config.js';
import { startRelay } from '../relay/start.js';
import { EmbeddedBroker } from '../dev/queue/index.js';
import { isProgressBody, resultMessageSchema, type ResultMessage } from '../shared/contracts/result-message.js';
import { writebackMessageId } from '../shared/contracts/writeback-message.js';
import { MESSAGE_BODY_BUDGET_BYTES } from '../shared/domain/limits.js';
import type { MemberRef, WritebackMessage } from '../shared/domain/model.js';
import { refsOf, splitSnapshot, splitUpserts } from '../shared/domain/split.js';
import { createLogger } from '../shared/logging.js';
import { splitForSend } from '../shared/ports/queue.js';
import { benchHeader } from './bench-group.js';
import { instrumentLdap, ldapSpan, resetLdapSpan } from './ldap-profile.js';
import { BIND_PASSWORD_ENV, RESULT_PREFIX, childInputSchema, type ChildInput, type ChildOutput } from './relay-child-protocol.js';
import { sampleMemory } from './memory-sampler.js';
import { measureDcSched } from './dc-schedstat.js';

/** What the planner sends for a new group (snapshot parts) or for a big addition (upserts), each under the budget. */
export function benchMessages(input: Pick<ChildInput, 'tenantId' | 'groupId' | 'kind' | 'members'>): WritebackMessage[] {
  const env = { tenantId: input.tenantId, groupId: input.groupId, header: benchHeader(input.groupId) };
  const refs: MemberRef[] = input.members.map((m) => ({ kind: 'sid', cloudId: m.cloudId, sid: m.sid, objectType: 'user' }));
  return input.kind === 'snapshot'
    ? splitSnapshot(env, 1, refsOf(refs), MESSAGE_BODY_BUDGET_BYTES)
    : splitUpserts(env, 1, [], refs, MESSAGE_BODY_BUDGET_BYTES);
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: throughput-relay-child.ts INPUT.json');
  const input = childInputSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const password = process.env[BIND_PASSWORD_ENV];
  if (!password) throw new Error(`${BIND_PASSWORD_ENV} is not set`);
  const ops = instrumentLdap();

  const broker = new EmbeddedBroker({
    queues: { writeback: { requiresSession: true }, 'writeback-results': { requiresSession: false } },
  });
  const queue = broker.client();
  const dc = { url: input.url, tlsServerName: input.tlsServerName, caFile: input.caFile };
  const config = localRelayConfig('bench-relay', { dc, bindDn: input.bindDn, bindPasswordEnv: BIND_PASSWORD_ENV, writebackOu: input.writebackOu }, {
    memberChunkSize: input.chunkSize,
    sessions: { receiveWaitMs: 1_000, retryDelayMs: 200 },
    heartbeat: { intervalSeconds: 3600 }, // the results queue is read as results only
    logLevel: 'warn',
  });
  const relay = await startRelay({ config, queue, log: createLogger('bench-relay', 'warn'), env: process.env });

  const messages = benchMessages(input);
  const outgoing = messages.map((m) => ({ messageId: writebackMessageId(m.groupId, m.seq), sessionId: m.groupId, body: m }));
  const sends = splitForSend(outgoing);
  const results = queue.receiver(config.queues.results);
  const memory = sampleMemory();

  const sender = queue.sender(config.queues.writeback);
  // Only what happens for this group counts (not the start-up bind and rootDSE/schema reads).
  for (const op of Object.values(ops)) Object.assign(op, { count: 0, ms: 0 });
  resetLdapSpan();
  const cpu0 = process.cpuUsage();
  const dcSched = measureDcSched(input.dcPid);
  const t0 = performance.now();
  for (const send of sends) await sender.send(send);
  const received: ResultMessage[] = [];
  const deadline = Date.now() + input.timeoutMs;
  while (received.length < messages.length) {
    if (Date.now() > deadline) throw new Error(`only ${received.length} of ${messages.length} results within ${input.timeoutMs} ms`);
    for (const r of await results.receive(100, 1_000)) {
      // The relay's progress reports on a big snapshot share the queue with the results.
      if (!isProgressBody(r.body)) received.push(resultMessageSchema.parse(r.body));
      await results.complete(r);
    }
  }
  const ms = performance.now() - t0;
  const dcSpent = dcSched();
  const span = ldapSpan();
  const cpu = process.cpuUsage(cpu0);
  const peaks = memory.stop();

  await relay.stop();
  await sender.close();
  await results.close();
  await queue.close();

  const outcomes: Record<string, number> = {};
  for (const r of received) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const output: ChildOutput = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    messages: messages.length,
    membersAdded: received.reduce((n, r) => n + r.membersAdded, 0),
    memberErrors: received.reduce((n, r) => n + r.memberErrors.length, 0),
    outcomes,
    groupDn: received.find((r) => r.ad)?.ad?.dn ?? null,
    ...peaks,
    maxRss: process.resourceUsage().maxRSS * 1024,
    ldap: ops,
    leadMs: span.firstStartAt === null ? null : span.firstStartAt - t0,
    tailMs: span.lastEndAt === null ? null : t0 + ms - span.lastEndAt,
    dc: dcSpent,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
