// The whole local pipeline on real peers: Samba AD DC (shared, one per machine), the Graph simulator over
// https, the embedded queue, the local Functions host serving functions/ (in this process), and the relay
// as its own process, as in production (dev/stack/relay-process.ts). The relay reaches the DC, and the
// Functions runtime reaches table storage, through fault proxies a scenario can cut (`fault` steps).
// Each stack works in its own OU tree: OU=<run>,OU=WritebackRuns,<domain> with OnPrem and Writeback below.
import { randomUUID } from 'node:crypto';
import type { Client } from 'ldapts';
import { startGraphSimulator, type GraphSimulator } from '../graph-sim/index.js';
import { trustSimulatorCertificate } from '../graph-sim/trust.js';
import { startLocalHost, type LocalHost } from '../host/local-host.js';
import { createLocalRuntime } from '../host/local-runtime.js';
import { ensureSambaDc, releaseSambaDcAfterCleanUp, type SambaDc } from './samba.js';
import { azuriteConnectionString, ensureAzurite, stopAzuriteIfStartedByRun } from './azurite.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startRelayProcess, type RelayProcess } from './relay-process.js';
import { startRemoteQueueServer, type RemoteQueueServer } from '../queue/remote-server.js';
import { SentLog } from '../queue/sent-log.js';
import { ALL_TABLES } from '../../shared/state/tables.js';
import { inTestRun, peerUserId } from './peer-users.js';
import { AzureTableStore } from '../../shared/adapters/tables/index.js';
import { connectLdap } from '../../relay/ldap/connect.js';
import { escapeDnValue } from '../../relay/ldap/escape.js';
import type { RelayConfigInput } from '../../relay/config.js';
import { localRelayConfig } from './relay-config.js';
import { delegateWritebackOu, ensureRelayAccount } from './relay-account.js';
import type { CloudRuntime } from '../../functions/runtime.js';
import type { EmbeddedBroker } from '../queue/index.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { removeOu } from './ad-objects.js';
import { isProcessAlive } from './processes.js';
import { sendPoke } from '../../shared/app/intake/pokes.js';
import { sleep } from '../../shared/timers.js';

export const RUNS_OU_NAME = 'WritebackRuns';

export class SettleTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly inFlight: string[],
  ) {
    super(`the pipeline did not settle within ${timeoutMs} ms: ${inFlight.join('; ') || 'nothing reported in flight'}`);
    this.name = 'SettleTimeoutError';
  }
}
const BIND_PASSWORD_ENV = 'WRITEBACK_LOCAL_BIND_PASSWORD';

export interface StackSettings {
  groupWritebackV2: boolean;
  writebackEnabled: boolean;
  cnFormat: 'objectId' | 'displayName';
  newUnifiedGroupWritebackDefault: boolean;
  deviceWriteback: boolean;
  exchangeSchema: boolean;
  deletionThreshold: number;
  memberRemovalThreshold: number;
  safetyNetSeconds: number;
}

export interface LocalStackOptions {
  name?: string;
  log?: Logger;
  /** Mark the DC as kept (scenario --keep): nothing stops it automatically. */
  keepDc?: boolean;
  /** A DC the caller started and stops (a benchmark's own, bench/bench-dc.ts) instead of the shared one:
   *  stop() removes this stack's OUs from it but never releases or stops it. */
  dc?: SambaDc;
  /** Items per delta page in the simulator. */
  deltaPageSize?: number;
  /** Relay settings over the local defaults (e.g. memberChunkSize, concurrency). */
  relay?: Partial<Pick<RelayConfigInput, 'sessions' | 'safety'>> & { memberChunkSize?: number };
  /** A hop the Functions runtime's table traffic passes before Azurite (a benchmark counts requests there):
   *  given Azurite's address, returns the one to use instead. The caller closes it after stop(). */
  tablesHop?: (azurite: { host: string; port: number }) => Promise<{ host: string; port: number }>;
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
  /** The relay's own process: crash() kills it with SIGKILL and starts a new one. */
  readonly relay: RelayProcess;
  readonly log: Logger;
  /** Takes a peer away for real (every connection cut, new ones refused) or brings it back. */
  fault(target: 'dc' | 'tables', state: 'down' | 'up'): Promise<void>;
  /** Every product table is deleted: the state store is rebuilt empty. */
  loseState(): Promise<void>;
  /** Resubmits the group's n-th writeback message (1-based, in the order sent) under a new messageId, as an
   *  admin would from a dead-letter queue. */
  replay(groupId: string, n: number): Promise<void>;
  /** Changes tenant settings as an admin would: the product's own settings through the settings service
   *  (which queues a full round when they change); NewUnifiedGroupWritebackDefault is Graph's directory setting. */
  setSettings(patch: Partial<StackSettings>): Promise<void>;
  /** Creates the tenant-wide groups subscription (the subscriptions timer, run now). */
  subscribe(): Promise<void>;
  /** Resolves when nothing is in flight: deliveries, handlers, queues and the relay are all idle; throws
   *  SettleTimeoutError (naming what is in flight) after timeoutMs. */
  settle(timeoutMs?: number): Promise<void>;
  /** What is in flight now (queues, handlers, notification deliveries), for a run that did not settle. */
  inFlight(): string[];
  /** Releases what the deletion guard holds for this group, as an admin does (the admin API). */
  approveHeld(groupId: string): Promise<void>;
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
  const ownDc = opts.dc;
  const dc = ownDc ?? (await ensureSambaDc({ log, ...(opts.keepDc ? { keep: true } : {}) }));
  const ad = await connectLdap({ url: dc.url, tlsServerName: dc.tlsServerName, caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword });

  const runsOu = `OU=${RUNS_OU_NAME},${dc.baseDn}`;
  await ensureOu(ad, runsOu);
  await removeDeadRuns(ad, runsOu);
  const runName = `${opts.name ?? 'run'}-p${process.pid}-${tenantId.slice(0, 8)}`;
  const runOu = `OU=${escapeDnValue(runName)},${runsOu}`;
  const onPremOu = `OU=OnPrem,${runOu}`;
  const writebackOu = `OU=Writeback,${runOu}`;
  for (const dn of [runOu, onPremOu, writebackOu]) await ensureOu(ad, dn);
  // The relay binds as its own account, delegated on this stack's writeback OU only (docs/relay.md).
  const relayAccount = await ensureRelayAccount(ad, dc);
  await delegateWritebackOu(ad, writebackOu, relayAccount);

  // State lives in Azurite's table service, as it lives in Azure Tables in production. The Functions runtime
  // reaches it through a proxy (a `tables` fault); the stack's own admin work (loseState) goes direct.
  const azurite = await ensureAzurite({ log });
  const azuritePort = Number(new URL(azurite.tableEndpoint).port);
  const azuriteAddress = { host: '127.0.0.1', port: azuritePort };
  const tablesProxy = await startFaultProxy(opts.tablesHop ? await opts.tablesHop(azuriteAddress) : azuriteAddress);
  const tables = new AzureTableStore({
    connectionString: azuriteConnectionString(azurite.tableEndpoint.replace(`:${azuritePort}/`, `:${tablesProxy.port}/`)),
  });
  const adminTables = new AzureTableStore({ connectionString: azurite.connectionString });
  const sentLog = new SentLog();

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
      runtime = await createLocalRuntime({ graphBaseUrl: sim.baseUrl, tenantId, hostUrl, tables, sentLog, log: log.child({ component: 'functions' }) });
      return runtime;
    },
    // The safety net runs on its schedule, as in Azure (lost notifications are found without a test's help);
    // the other timers run when a test or scenario asks (subscribe, reconcile).
    timers: ['safetyNet'],
    queuePollMs: 50,
  });

  // The relay process reaches the queue over loopback and the DC through a proxy (a `dc` fault).
  const queueServer: RemoteQueueServer = await startRemoteQueueServer(runtime.broker.client(), log.child({ component: 'queue-server' }));
  const dcAddress = new URL(dc.url);
  const dcProxy: FaultProxy = await startFaultProxy({ host: dcAddress.hostname, port: Number(dcAddress.port || 636) });
  const relayTarget = { dc: { ...dc, url: `ldaps://127.0.0.1:${dcProxy.port}` }, bindDn: relayAccount.bindDn, bindPasswordEnv: BIND_PASSWORD_ENV, writebackOu };
  const relayConfig = localRelayConfig('local-relay', relayTarget, {
    ...(opts.relay?.memberChunkSize !== undefined ? { memberChunkSize: opts.relay.memberChunkSize } : {}),
    sessions: { retryDelayMs: 200, retryMaxDelayMs: 2_000, receiveWaitMs: 100, snapshotPartWaitMs: 10_000, ...opts.relay?.sessions },
    ...(opts.relay?.safety ? { safety: opts.relay.safety } : {}),
    logLevel: 'info',
  });
  const relay = await startRelayProcess({
    config: relayConfig,
    queueUrl: queueServer.url,
    env: { [BIND_PASSWORD_ENV]: relayAccount.password },
    attachments: () => queueServer.attachments(),
  });

  const inFlight = (): string[] => {
    const out: string[] = [];
    for (const queue of runtime.broker.queueNames()) {
      const c = runtime.broker.counts(queue);
      if (c.active + c.locked + c.scheduled > 0) out.push(`queue ${queue}: ${c.active} waiting, ${c.locked} locked, ${c.scheduled} scheduled`);
    }
    if (!host.idle()) out.push('a function handler is running');
    const pending = sim.control.deliveryStats().pending;
    if (pending > 0) out.push(`${pending} notification deliveries pending`);
    return out;
  };

  const settleOnce = async (): Promise<boolean> => {
    await sim.control.idle();
    await host.whenIdle();
    // The relay holds a message locked while it works on it: an idle broker means an idle relay too.
    return runtime.broker.idle() && host.idle() && sim.control.deliveryStats().pending === 0;
  };

  return {
    tenantId, dc, ad, runOu, onPremOu, writebackOu, sim, runtime, host, relay, log,
    async fault(target, state) {
      const proxy = target === 'dc' ? dcProxy : tablesProxy;
      await (state === 'down' ? proxy.down() : proxy.up());
      log.warn({ target, state }, 'fault injected');
    },
    inFlight,
    async approveHeld(groupId) {
      // Signed in as an admin with the Writeback.Admin role, as the CLI would be (Entra: the simulator's part).
      const authorization = `Bearer ${sim.entra.mintToken({ roles: ['Writeback.Admin'] })}`;
      const res = await fetch(`${host.url}/api/held/${encodeURIComponent(groupId)}/approve`, { method: 'POST', headers: { authorization } });
      if (!res.ok) throw new Error(`approving the held change of group ${groupId}: HTTP ${res.status} ${await res.text()}`);
    },
    async loseState() {
      for (const name of ALL_TABLES) await adminTables.deleteTable(name);
      log.warn('every product table deleted (state lost)');
    },
    async replay(groupId, n) {
      const queue = runtime.config.WRITEBACK_QUEUE;
      const sent = sentLog.bySession(queue, groupId);
      const original = sent[n - 1];
      if (!original) throw new Error(`group ${groupId} has ${sent.length} writeback messages; there is no number ${n}`);
      await runtime.sender(queue).send([{ ...original, messageId: `${original.messageId}:replay-${randomUUID().slice(0, 8)}` }]);
    },
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
        if (Date.now() > deadline) throw new SettleTimeoutError(timeoutMs, inFlight());
        quiet = (await settleOnce()) ? quiet + 1 : 0;
        if (quiet < 2) await sleep(50);
      }
    },
    async stop(stopOpts = {}) {
      await relay.stop();
      await queueServer.close();
      await host.close();
      await sim.close();
      await dcProxy.close();
      await tablesProxy.close();
      // Own clean-up first, release after: a user that unregisters before deleting its OU lets another user
      // become the last one out and stop the DC in the middle of the deletes. A test run's global teardown
      // releases the peers for the run; --keep (keepAd) keeps the DC and this run's OUs.
      const removeRunOu = async (): Promise<void> => {
        const cleaner = ad.isConnected ? ad : await connectLdap({ url: dc.url, tlsServerName: dc.tlsServerName, caPem: dc.caPem, bindDn: dc.adminBindDn, password: dc.adminPassword });
        await removeOu(cleaner, runOu);
        await cleaner.unbind();
      };
      try {
        if ((ownDc || inTestRun()) && !stopOpts.keepAd) await removeRunOu();
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
