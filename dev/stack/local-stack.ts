// The whole local pipeline in one process, on real peers: Samba AD DC (shared, one per machine), the Graph
// simulator over https, the embedded queue, the local Functions host serving functions/, and the relay.
// Each stack works in its own OU tree: OU=<run>,OU=WritebackRuns,<domain> with OnPrem and Writeback below.
import { randomUUID } from 'node:crypto';
import type { Client } from 'ldapts';
import { startGraphSimulator, type GraphSimulator } from '../graph-sim/index.js';
import { trustSimulatorCertificate } from '../graph-sim/trust.js';
import { startLocalHost, type LocalHost } from '../host/local-host.js';
import { createLocalRuntime } from '../host/local-runtime.js';
import { ensureSambaDc, releaseSambaDcAfterCleanUp, type SambaDc } from './samba.js';
import { ensureAzurite, stopAzuriteIfStartedByRun } from './azurite.js';
import { inTestRun, peerUserId } from './peer-users.js';
import { AzureTableStore } from '../../shared/adapters/tables/index.js';
import { connectLdap } from '../../relay/ldap/connect.js';
import { escapeDnValue } from '../../relay/ldap/escape.js';
import type { RelayConfigInput } from '../../relay/config.js';
import { localRelayConfig } from './relay-config.js';
import { startRelay, type RunningRelay } from '../../relay/start.js';
import type { CloudRuntime } from '../../functions/runtime.js';
import type { EmbeddedBroker } from '../queue/index.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { removeOu } from './ad-objects.js';
import { isProcessAlive } from './processes.js';
import { sendPoke } from '../../shared/app/intake/pokes.js';
import { sleep } from '../../shared/timers.js';

export const RUNS_OU_NAME = 'WritebackRuns';
const BIND_PASSWORD_ENV = 'WRITEBACK_LOCAL_BIND_PASSWORD';

export interface StackSettings {
  groupWritebackV2: boolean;
  cnFormat: 'objectId' | 'displayName';
  newUnifiedGroupWritebackDefault: boolean;
  deviceWriteback: boolean;
  exchangeSchema: boolean;
}

export interface LocalStackOptions {
  name?: string;
  log?: Logger;
  /** Mark the DC as kept (scenario --keep): nothing stops it automatically. */
  keepDc?: boolean;
  /** Items per delta page in the simulator. */
  deltaPageSize?: number;
  /** Relay settings over the local defaults (e.g. memberChunkSize, concurrency). */
  relay?: Partial<Pick<RelayConfigInput, 'sessions' | 'safety'>> & { memberChunkSize?: number };
}

export interface LocalStack {
  readonly tenantId: string;
  readonly dc: SambaDc;
  /** Admin LDAPS connection (verification on) for fixtures, tampering and dumps. */
  readonly ad: Client;
  readonly runOu: string;
  readonly onPremOu: string;
  readonly writebackOu: string;
  readonly sim: GraphSimulator;
  readonly runtime: CloudRuntime & { broker: EmbeddedBroker };
  readonly host: LocalHost;
  readonly relay: RunningRelay;
  readonly log: Logger;
  /** Changes tenant settings as an admin would: the product's own settings through the settings service
   *  (which queues a full round when they change); NewUnifiedGroupWritebackDefault is Graph's directory setting. */
  setSettings(patch: Partial<StackSettings>): Promise<void>;
  /** Creates the tenant-wide groups subscription (the subscriptions timer, run now). */
  subscribe(): Promise<void>;
  /** Resolves when nothing is in flight: deliveries, handlers, queues and the relay are all idle. */
  settle(timeoutMs?: number): Promise<void>;
  /** Stops everything this stack started; removes its OUs unless keepAd. The shared DC stays. */
  stop(opts?: { keepAd?: boolean }): Promise<void>;
}

async function ensureOu(ad: Client, dn: string): Promise<void> {
  try {
    await ad.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 68)) throw error; // 68: already exists
  }
}

/** Removes the OUs of runs whose process is gone (a crash or a kill left them): their sAMAccountNames and
 *  anchors would collide with this run's. OUs of live runs (a benchmark, a --keep'd scenario) stay. */
async function removeDeadRuns(ad: Client, runsOu: string): Promise<void> {
  const { searchEntries } = await ad.search(runsOu, { scope: 'one', filter: '(objectClass=organizationalUnit)', attributes: ['ou'] });
  for (const e of searchEntries) {
    const pid = /-p(\d+)-[0-9a-f]{8}$/.exec(String(e['ou']))?.[1];
    if (pid !== undefined && isProcessAlive(Number(pid))) continue;
    await removeOu(ad, e.dn);
  }
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const log = opts.log ?? createLogger('local-stack');
  const tenantId = randomUUID();
  const dc = await ensureSambaDc({ log, ...(opts.keepDc ? { keep: true } : {}) });
  const ad = await connectLdap({ url: dc.url, tlsServerName: dc.tlsServerName, caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword });

  const runsOu = `OU=${RUNS_OU_NAME},${dc.baseDn}`;
  await ensureOu(ad, runsOu);
  await removeDeadRuns(ad, runsOu);
  const runName = `${opts.name ?? 'run'}-p${process.pid}-${tenantId.slice(0, 8)}`;
  const runOu = `OU=${escapeDnValue(runName)},${runsOu}`;
  const onPremOu = `OU=OnPrem,${runOu}`;
  const writebackOu = `OU=Writeback,${runOu}`;
  for (const dn of [runOu, onPremOu, writebackOu]) await ensureOu(ad, dn);

  // State lives in Azurite's table service, as it lives in Azure Tables in production.
  const azurite = await ensureAzurite({ log });
  const tables = new AzureTableStore({ connectionString: azurite.connectionString });

  const sim = await startGraphSimulator({
    tenantId,
    tls: true,
    log: log.child({ component: 'graph-sim' }),
    ...(opts.deltaPageSize !== undefined ? { pageSize: opts.deltaPageSize } : {}),
    delivery: { timeoutMs: 3_000, retryDelaysMs: [200, 500, 1_000, 2_000] },
  });
  if (sim.caPem) trustSimulatorCertificate(sim.caPem);

  let runtime!: CloudRuntime & { broker: EmbeddedBroker };
  const host = await startLocalHost({
    runtime: async (hostUrl) => {
      runtime = await createLocalRuntime({ graphBaseUrl: sim.baseUrl, tenantId, hostUrl, tables, log: log.child({ component: 'functions' }) });
      return runtime;
    },
    timers: false,
    queuePollMs: 50,
  });

  const relayConfig = localRelayConfig('local-relay', { dc, bindPasswordEnv: BIND_PASSWORD_ENV, writebackOu }, {
    ...(opts.relay?.memberChunkSize !== undefined ? { memberChunkSize: opts.relay.memberChunkSize } : {}),
    sessions: { retryDelayMs: 200, receiveWaitMs: 100, snapshotPartWaitMs: 10_000, ...opts.relay?.sessions },
    ...(opts.relay?.safety ? { safety: opts.relay.safety } : {}),
    logLevel: 'info',
  });
  const relay = await startRelay({
    config: relayConfig,
    queue: runtime.queue,
    log: log.child({ component: 'relay' }),
    env: { [BIND_PASSWORD_ENV]: dc.adminPassword },
  });

  const settleOnce = async (): Promise<boolean> => {
    await sim.control.idle();
    await host.whenIdle();
    await relay.idle();
    return runtime.broker.idle() && host.idle() && sim.control.deliveryStats().pending === 0;
  };

  return {
    tenantId, dc, ad, runOu, onPremOu, writebackOu, sim, runtime, host, relay, log,
    async setSettings(patch) {
      const { newUnifiedGroupWritebackDefault, ...own } = patch;
      if (newUnifiedGroupWritebackDefault !== undefined) {
        sim.control.setTenantSettings({ newUnifiedGroupWritebackDefault });
        // A directory setting change notifies nothing: ask for a full round so groups are evaluated again.
        await sendPoke(runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), tenantId, 'resync', new Date());
      }
      if (Object.keys(own).length > 0) await runtime.tenantSettings.save(tenantId, own);
    },
    async subscribe() {
      await host.runTimer('subscriptions');
    },
    async settle(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let quiet = 0;
      // Two quiet passes in a row: a handler that finished may have enqueued work another part picks up.
      while (quiet < 2) {
        if (Date.now() > deadline) throw new Error(`the pipeline did not settle within ${timeoutMs} ms`);
        quiet = (await settleOnce()) ? quiet + 1 : 0;
        if (quiet < 2) await sleep(50);
      }
    },
    async stop(stopOpts = {}) {
      await relay.stop();
      await host.close();
      await sim.close();
      // Own clean-up first, release after: a user that unregisters before deleting its OU lets another user
      // become the last one out and stop the DC in the middle of the deletes. A test run's global teardown
      // releases the peers for the run; --keep (keepAd) keeps the DC and this run's OUs.
      const removeRunOu = async (): Promise<void> => {
        const cleaner = ad.isConnected ? ad : await connectLdap({ url: dc.url, tlsServerName: dc.tlsServerName, caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword });
        await removeOu(cleaner, runOu);
        await cleaner.unbind();
      };
      try {
        if (inTestRun() && !stopOpts.keepAd) await removeRunOu();
        else if (!stopOpts.keepAd) {
          // The last user out stops a DC a user started: it goes whole, much faster than deleting thousands
          // of users one by one (Samba takes ~0.1 s a delete). No connection of ours is open when it stops.
          await ad.unbind();
          await releaseSambaDcAfterCleanUp(peerUserId(), removeRunOu);
        }
      } finally {
        if (ad.isConnected) await ad.unbind();
        if (!inTestRun()) await stopAzuriteIfStartedByRun(peerUserId());
      }
    },
  };
}
