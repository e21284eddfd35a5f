// The offline Functions host: serves functions/catalog.ts's definitions (the list functions/index.ts registers
// in Azure) against an injected CloudRuntime. HTTP on 127.0.0.1 under /api/, timers on their NCRONTAB
// schedules and on demand, queue triggers from the runtime's QueueClient with peek-lock semantics.
// Differences from Azure, on purpose: function keys are optional (see http-server.ts), one message at a
// time per queue, poison messages are dead-lettered at once (see shared/contracts/poison.ts).
import { functionDefinitions } from '../../functions/catalog.js';
import {
  isHttpFunction,
  isQueueFunction,
  isTimerFunction,
  resolveSetting,
  type FunctionDefinition,
} from '../../functions/registry.js';
import { setCloudRuntime, type CloudRuntime } from '../../functions/runtime.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { ReceivedMessage } from '../../shared/ports/queue.js';
import { startHttpHost } from './http-server.js';
import { QueuePump, type Settlement } from './queue-pump.js';
import { TimerRunner } from './timers.js';

export interface LocalHostOptions {
  /** The runtime, or a factory given the host's URL (notification URLs must point at the host). */
  runtime: CloudRuntime | ((hostUrl: string) => CloudRuntime | Promise<CloudRuntime>);
  /** 0 (default) = any free port. */
  port?: number;
  /** Run timers on their schedules (and runOnStartup): all (default), none (false; tests use runTimer), or
   *  only the named ones. */
  timers?: boolean | readonly string[];
  /** Run queue triggers. Default true. */
  queues?: boolean;
  /** How long one queue receive waits; also the stop latency. Default 200 ms. */
  queuePollMs?: number;
  /** When set, `function`/`admin` routes require it (x-functions-key header or ?code=). */
  functionKey?: string;
  /** Definitions to serve; default: every function of the app. */
  functions?: readonly FunctionDefinition[];
  /** %SETTING% values; default: the runtime's config over process.env. */
  settings?: Record<string, string | undefined>;
}

export interface LocalHost {
  /** e.g. http://127.0.0.1:7071 (routes are under /api/). */
  readonly url: string;
  readonly port: number;
  readonly runtime: CloudRuntime;
  runTimer(name: string): Promise<void>;
  /** True when no handler is running. */
  idle(): boolean;
  /** Resolves the next time no handler is running. */
  whenIdle(): Promise<void>;
  /** Observe queue settlements (message, function name, outcome). Returns an unsubscribe function. */
  onSettled(listener: (event: { functionName: string; message: ReceivedMessage; settlement: Settlement }) => void): () => void;
  close(): Promise<void>;
}

function settingsOf(runtime: CloudRuntime): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...process.env };
  for (const [k, v] of Object.entries(runtime.config)) if (typeof v === 'string') out[k] = v;
  return out;
}

export async function startLocalHost(opts: LocalHostOptions): Promise<LocalHost> {
  const defs = opts.functions ?? functionDefinitions;

  let active = 0;
  let idleWaiters: (() => void)[] = [];
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    active++;
    try {
      return await work();
    } finally {
      active--;
      if (active === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  };

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let log: Logger = silentLogger();
  const http = await startHttpHost({
    functions: defs.filter(isHttpFunction),
    port: opts.port ?? 0,
    functionKey: opts.functionKey,
    log: () => log,
    track,
    ready,
  });
  const url = `http://127.0.0.1:${http.port}`;
  let runtime: CloudRuntime;
  try {
    runtime = typeof opts.runtime === 'function' ? await opts.runtime(url) : opts.runtime;
  } catch (err) {
    await http.close();
    throw err;
  }
  setCloudRuntime(runtime);
  log = runtime.log.child({ host: 'local' });
  markReady();
  const settings = opts.settings ?? settingsOf(runtime);

  const timerDefs = defs.filter(isTimerFunction);
  const timers = new TimerRunner({
    functions: timerDefs,
    schedules: new Map(timerDefs.map((d) => [d.name, resolveSetting(d.trigger.schedule, settings)])),
    log,
    track,
  });
  const which = opts.timers ?? true;
  if (which !== false) timers.start(which === true ? undefined : which);

  const listeners = new Set<(event: { functionName: string; message: ReceivedMessage; settlement: Settlement }) => void>();
  const pumps = defs.filter(isQueueFunction).map((def) => {
    const pump = new QueuePump({
      def,
      queueName: resolveSetting(def.trigger.queueName, settings),
      queue: runtime.queue,
      pollMs: opts.queuePollMs ?? 200,
      log,
      track,
    });
    pump.onSettled = (message, settlement) => {
      for (const l of listeners) l({ functionName: def.name, message, settlement });
    };
    return pump;
  });
  if (opts.queues ?? true) for (const p of pumps) p.start();

  log.info({ url, functions: defs.map((d) => d.name) }, 'local Functions host started');
  return {
    url,
    port: http.port,
    runtime,
    runTimer: (name) => timers.run(name),
    idle: () => active === 0,
    whenIdle: () => (active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    onSettled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await Promise.all(pumps.map((p) => p.stop()));
      await timers.stop();
      await http.close();
      setCloudRuntime(undefined);
    },
  };
}
