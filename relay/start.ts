// Starts the relay in this process: reads the bind password and the CA, connects to a DC (an unreachable
// DC is not fatal: messages wait in the queue; a refused bind or an untrusted certificate is), and runs
// the queue consumer: a worker pool (consume/worker-pool.ts) handing each session to the session processor
// (consume/session-processor.ts), and a heartbeat to the cloud (consume/heartbeat.ts). Used by main.ts and,
// in-process beside the local host, by the demo and scenarios.
import type { Logger } from '../shared/logging.js';
import type { QueueClient } from '../shared/ports/queue.js';
import { describeRelayConfig, readConfiguredFile, readSecret, type RelayConfig } from './config.js';
import { backoffOf } from './consume/backoff.js';
import { DirectoryGate } from './consume/directory-gate.js';
import { Heartbeat } from './consume/heartbeat.js';
import { SessionProcessor } from './consume/session-processor.js';
import { emptyStats, type RelayStats } from './consume/stats.js';
import { WorkerPool } from './consume/worker-pool.js';
import { loadAdContext, type AdContext } from './ldap/ad-context.js';
import { Directory } from './ldap/directory.js';
import { isDirectoryOutage } from './ldap/errors.js';
import { relayVersion } from './version.js';

export interface RunningRelay {
  /** Finishes the messages in hand and disconnects. The queue client stays open (the caller owns it). */
  stop(): Promise<void>;
  /** Resolves once the relay has looked for work after this call and found none. */
  idle(): Promise<void>;
  /** Live counters. */
  readonly stats: RelayStats;
  /** The DC this run is pinned to. */
  dcUrl(): string;
  /** Reported in results and heartbeats. */
  readonly version: string;
}

export interface StartRelayOptions {
  config: RelayConfig;
  queue: QueueClient;
  log: Logger;
  /** Where the bind password's environment variable is read from (tests). */
  env?: NodeJS.ProcessEnv;
}

export async function startRelay({ config, queue, log, env }: StartRelayOptions): Promise<RunningRelay> {
  // A secret or file that cannot be read is a configuration error (RelayConfigError: exit code 2).
  const password = await readSecret(config.ldap.bindPassword, env);
  const caPem = await readConfiguredFile(config.ldap.caFile, 'ldap.caFile');
  const version = relayVersion();
  const startedAt = new Date();
  const relayLog = log.child({ relayId: config.relayId });
  relayLog.info({ version, config: describeRelayConfig(config) }, 'relay starting');
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
    relayVersion: version,
    stats,
    log: relayLog,
  });
  const pool = new WorkerPool({ queue, config, stats, gate, log: relayLog, process: (session, stopping) => processor.process(session, stopping) });
  const heartbeat = new Heartbeat({
    relayId: config.relayId,
    version,
    intervalMs: config.heartbeat.intervalSeconds * 1000,
    results,
    stats,
    directory: () => ({ dc: directory.dcUrl, available: gate.isOpen }),
    startedAt,
    log: relayLog,
  });
  pool.start();
  heartbeat.start();
  let stopped: Promise<void> | null = null;
  return {
    stop: () => {
      stopped ??= (async () => {
        gate.stop();
        await pool.stop();
        await heartbeat.stop();
        await results.close();
        await directory.close();
        relayLog.info({ stats }, 'relay stopped');
      })();
      return stopped;
    },
    idle: () => pool.idle(),
    stats,
    dcUrl: () => directory.dcUrl,
    version,
  };
}
