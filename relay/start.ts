// Starts the relay in this process: reads the bind password and the CA, connects to a DC (an unreachable
// DC is not fatal: messages wait in the queue; a refused bind or an untrusted certificate is), and runs
// the queue consumer: a worker pool (consume/worker-pool.ts) handing each session to the session processor
// (consume/session-processor.ts). Used by main.ts and, in-process beside the local host, by the demo and scenarios.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../shared/logging.js';
import type { QueueClient } from '../shared/ports/queue.js';
import { describeRelayConfig, readSecret, RelayConfigError, type RelayConfig } from './config.js';
import { backoffOf } from './consume/backoff.js';
import { DirectoryGate } from './consume/directory-gate.js';
import { SessionProcessor } from './consume/session-processor.js';
import { emptyStats, type RelayStats } from './consume/stats.js';
import { WorkerPool } from './consume/worker-pool.js';
import { loadAdContext, type AdContext } from './ldap/ad-context.js';
import { Directory } from './ldap/directory.js';
import { isDirectoryOutage } from './ldap/errors.js';

export interface RunningRelay {
  /** Finishes the messages in hand and disconnects. The queue client stays open (the caller owns it). */
  stop(): Promise<void>;
  /** Resolves once the relay has looked for work after this call and found none. */
  idle(): Promise<void>;
  /** Live counters. */
  readonly stats: RelayStats;
  /** The DC this run is pinned to. */
  dcUrl(): string;
}

export interface StartRelayOptions {
  config: RelayConfig;
  queue: QueueClient;
  log: Logger;
  /** Where the bind password's environment variable is read from (tests). */
  env?: NodeJS.ProcessEnv;
}

export async function startRelay({ config, queue, log, env }: StartRelayOptions): Promise<RunningRelay> {
  const password = await readSecret(config.ldap.bindPassword, env);
  let caPem: string;
  try {
    caPem = await readFile(config.ldap.caFile, 'utf8');
  } catch (error) {
    throw new RelayConfigError([`ldap.caFile: ${config.ldap.caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const relayLog = log.child({ relayId: config.relayId });
  relayLog.info({ config: describeRelayConfig(config) }, 'relay starting');
  if (config.safety.stagingMode) relayLog.warn('staging mode: changes are computed and reported, nothing is written to AD');

  const directory = new Directory({
    urls: config.ldap.urls,
    caPem,
    bindDn: config.ldap.bindDn,
    password,
    timeoutMs: config.ldap.timeoutMs,
    idleReconnectMs: config.ldap.idleReconnectMs,
    log: relayLog,
    ...(config.ldap.tlsServerName ? { tlsServerName: config.ldap.tlsServerName } : {}),
  });

  let context: Promise<AdContext> | null = null;
  const loadContext = (): Promise<AdContext> => {
    context ??= directory
      .use((c) => loadAdContext(c, { writebackOu: config.ldap.writebackOu, previousWritebackOus: config.ldap.previousWritebackOus, ...(config.ldap.searchBaseDn ? { searchBaseDn: config.ldap.searchBaseDn } : {}) }), {
        retry: true,
      })
      .catch((error: unknown) => {
        context = null; // try again with the next message
        throw error;
      });
    return context;
  };

  // Closed while no DC answers; its probe also loads the AD context, which the first message needs.
  const gate = new DirectoryGate({
    probe: async () => {
      await loadContext();
      await directory.probe();
    },
    backoff: backoffOf(config.sessions),
    log: relayLog,
  });
  try {
    await directory.open();
    const ctx = await loadContext();
    relayLog.info({ dc: directory.dcUrl, searchBaseDn: ctx.searchBaseDn, optionalAttributes: [...ctx.optionalAttributes] }, 'directory ready');
  } catch (error) {
    if (isDirectoryOutage(error)) {
      relayLog.warn({ err: error.message }, 'no DC reachable at start-up; messages wait until one answers');
      gate.close(error.message);
    } else {
      await directory.close();
      throw error;
    }
  }

  const stats = emptyStats();
  const results = queue.sender(config.queues.results);
  const processor = new SessionProcessor({
    config,
    directory,
    context: loadContext,
    gate,
    results,
    stats,
    log: relayLog,
  });
  const pool = new WorkerPool({ queue, config, stats, gate, log: relayLog, process: (session, stopping) => processor.process(session, stopping) });
  pool.start();
  let stopped: Promise<void> | null = null;
  return {
    stop: () => {
      stopped ??= (async () => {
        gate.stop();
        await pool.stop();
        await results.close();
        await directory.close();
        relayLog.info({ stats }, 'relay stopped');
      })();
      return stopped;
    },
    idle: () => pool.idle(),
    stats,
    dcUrl: () => directory.dcUrl,
  };
}
