// The relay side of the relay-memory benchmark: the product's relay (startRelay) in its own process, in
// staging mode (it reads AD, computes and reports, writes nothing), on the parent's queue over loopback, so
// this process's memory is the relay's alone. Samples memory until the parent writes `stop` on stdin.
// Input: a JSON file named by argv[2]; the bind password in WRITEBACK_BENCH_BIND_PASSWORD.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { localRelayConfig } from '../dev/stack/relay-config.js';
import { RemoteQueueClient } from '../dev/queue/remote-client.js';
import { startRelay } from '../relay/start.js';
import { createLogger } from '../shared/logging.js';
import { BIND_PASSWORD_ENV } from './relay-child-protocol.js';
import { MEMORY_RESULT_PREFIX, READY_LINE, memoryChildInputSchema, type MemoryChildOutput } from './relay-memory-protocol.js';
import { sampleMemory } from './memory-sampler.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: relay-memory-child.ts INPUT.json');
  const input = memoryChildInputSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  if (!process.env[BIND_PASSWORD_ENV]) throw new Error(`${BIND_PASSWORD_ENV} is not set`);

  // The relay's log goes to stderr (the parent shows the progress lines); stdout carries the protocol.
  let progressLines = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString('utf8');
      if (text.includes('"member progress"')) progressLines += 1;
      process.stderr.write(text, () => done());
    },
  });
  const queue = new RemoteQueueClient(input.queueUrl);
  const dc = { url: input.url, tlsServerName: input.tlsServerName, caFile: input.caFile };
  const config = localRelayConfig('bench-relay-memory', { dc, bindDn: input.bindDn, bindPasswordEnv: BIND_PASSWORD_ENV, writebackOu: input.writebackOu }, {
    safety: { stagingMode: true },
    sessions: { receiveWaitMs: 1_000, retryDelayMs: 200 },
    heartbeat: { intervalSeconds: 3600 },
    logLevel: 'info',
  });
  const relay = await startRelay({ config, queue, log: createLogger('bench-relay', 'info', sink), env: process.env });

  const memory = sampleMemory();
  const cpu0 = process.cpuUsage();
  process.stdout.write(`${READY_LINE}\n`);

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'stop') break;
  const peaks = memory.stop();
  const cpu = process.cpuUsage(cpu0);
  await relay.stop();
  await queue.close();
  const output: MemoryChildOutput = {
    ...peaks,
    maxRss: process.resourceUsage().maxRSS * 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    progressLines,
  };
  process.stdout.write(`${MEMORY_RESULT_PREFIX}${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
