// The relay side of the big-group benchmark, in its own process so its memory is the relay's alone: the
// product relay on the planner process's queue (dev/queue/remote-client.ts, as the local stack's relay
// process). It watches its own traffic: when it took the group's session, and when the results it sent for
// the group add up to every member; counts LDAP operations meanwhile.
// Input: a JSON file named by argv[2]; the bind password in the environment; commands on stdin, events on
// stdout (bench/big-protocol.ts).
import { readFile } from 'node:fs/promises';
import readline from 'node:readline';
import { localRelayConfig } from '../dev/stack/relay-config.js';
import { RemoteQueueClient } from '../dev/queue/remote-client.js';
import { startRelay } from '../relay/start.js';
import { resultMessageSchema } from '../shared/contracts/result-message.js';
import { createLogger } from '../shared/logging.js';
import type { QueueClient } from '../shared/ports/queue.js';
import { BIND_PASSWORD_ENV, commandSchema, eventLine, relayInputSchema } from './big-protocol.js';
import { instrumentLdap } from './ldap-profile.js';

interface Watch {
  groupId: string;
  members: number;
  firstMessageAt: number | null;
  results: number;
  membersAdded: number;
  memberErrors: number;
  outcomes: Record<string, number>;
  groupDn: string | null;
  cpu: NodeJS.CpuUsage;
}

/** The relay's queue client, observed: sessions it takes and results it sends for the watched group. */
function observed(queue: QueueClient, queues: { writeback: string; results: string }, watch: () => Watch | null, onResult: () => void): QueueClient {
  return {
    sender: (name) => {
      const sender = queue.sender(name);
      if (name !== queues.results) return sender;
      return {
        send: async (messages) => {
          await sender.send(messages);
          const w = watch();
          for (const m of messages) {
            const r = resultMessageSchema.safeParse(m.body);
            if (!w || !r.success || r.data.groupId !== w.groupId) continue;
            w.results += 1;
            w.membersAdded += r.data.membersAdded;
            w.memberErrors += r.data.memberErrors.length;
            w.outcomes[r.data.outcome] = (w.outcomes[r.data.outcome] ?? 0) + 1;
            w.groupDn ??= r.data.ad?.dn ?? null;
          }
          onResult();
        },
        close: () => sender.close(),
      };
    },
    receiver: (name) => queue.receiver(name),
    acceptNextSession: async (name, maxWaitMs) => {
      const session = await queue.acceptNextSession(name, maxWaitMs);
      const w = watch();
      if (session && w && name === queues.writeback && session.sessionId === w.groupId) w.firstMessageAt ??= Date.now();
      return session;
    },
    peekDeadLetters: (name, max) => queue.peekDeadLetters(name, max),
    deadLetterReceiver: (name) => queue.deadLetterReceiver(name),
    close: () => queue.close(),
  };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: big-relay-child.ts INPUT.json');
  const input = relayInputSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const ops = instrumentLdap();
  const dc = { url: input.url, tlsServerName: input.tlsServerName, caFile: input.caFile };
  const config = localRelayConfig('bench-big-relay', { dc, bindDn: input.bindDn, bindPasswordEnv: BIND_PASSWORD_ENV, writebackOu: input.writebackOu }, {
    memberChunkSize: input.chunkSize,
    sessions: { receiveWaitMs: 1_000, retryDelayMs: 200 },
    logLevel: 'warn',
  });
  let watch: Watch | null = null;
  const remote = new RemoteQueueClient(input.queueUrl);
  const queue = observed(remote, { writeback: config.queues.writeback, results: config.queues.results }, () => watch, () => {
    const w = watch;
    if (!w || w.membersAdded < w.members) return;
    watch = null;
    const cpu = process.cpuUsage(w.cpu);
    const { groupId: _g, members: _m, cpu: _c, ...counts } = w;
    process.stdout.write(eventLine({ type: 'done', at: Date.now(), ...counts, ldap: structuredClone(ops), cpuMs: (cpu.user + cpu.system) / 1000 }));
  });
  const relay = await startRelay({ config, queue, log: createLogger('bench-big-relay', 'warn'), env: process.env });
  process.stdout.write(eventLine({ type: 'ready' }));

  process.once('SIGTERM', () => {
    void relay
      .stop()
      .then(() => remote.close())
      .then(() => process.exit(0));
  });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = commandSchema.parse(JSON.parse(line));
    if (command.cmd === 'watch') {
      // Only what happens for this group counts (not the start-up bind and rootDSE/schema reads).
      for (const op of Object.values(ops)) Object.assign(op, { count: 0, ms: 0 });
      watch = { groupId: command.groupId, members: command.members, firstMessageAt: null, results: 0, membersAdded: 0, memberErrors: 0, outcomes: {}, groupDn: null, cpu: process.cpuUsage() };
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
