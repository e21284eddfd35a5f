// The Service Bus queues in main.bicep: the settings written down in docs/deployment.md ("Queues"), the rules from
// the ops facts (sessions, duplicate detection, 10 deliveries, dead-lettering on expiry, Standard-tier sizes), and
// agreement with their consumers (queue triggers' session flag, the relay's delivery count and lock renewal). The
// settings live in infra/queues.json, which main.bicep loads and the embedded queue of the local stack reads too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { declareAppQueues, localConfig } from '../../dev/host/local-runtime.js';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { functionDefinitions } from '../../functions/catalog.js';
import { isQueueFunction } from '../../functions/registry.js';
import { parseRelayConfig } from '../../relay/config.js';
import { SERVICE_BUS_MESSAGE_BYTES } from '../../shared/domain/limits.js';
import {
  evaluate,
  fileScope,
  moduleArguments,
  modules,
  prop,
  readBicep,
  resources,
  variables,
  type BicepFile,
  type BicepValue,
  type Scope,
} from '../support/bicep.js';
import { markdownTable } from '../support/markdown-table.js';

const root = join(import.meta.dirname, '..', '..');

const queueSchema = z
  .object({
    name: z.string(),
    requiresSession: z.boolean(),
    requiresDuplicateDetection: z.boolean(),
    duplicateDetectionHistoryTimeWindow: z.string().optional(),
    lockDuration: z.string(),
    maxDeliveryCount: z.number(),
    deadLetteringOnMessageExpiration: z.boolean(),
    defaultMessageTimeToLive: z.string(),
    maxSizeInMegabytes: z.number(),
  })
  .strict();
type Queue = z.infer<typeof queueSchema>;

/** ISO 8601 duration (days, hours, minutes, seconds) in seconds. */
function seconds(duration: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration);
  if (!m) throw new Error(`not an ISO 8601 duration: ${duration}`);
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  return ((d * 24 + h) * 60 + min) * 60 + s;
}

let main: BicepFile;
let mainScope: Scope;
let queues: Queue[];
let serviceBusArgs: Record<string, BicepValue>;
let settings: Record<string, BicepValue>;

beforeAll(async () => {
  main = await readBicep(join(root, 'infra', 'main.bicep'));
  mainScope = fileScope(main);
  serviceBusArgs = moduleArguments(modules(main).find((m) => m.name === 'serviceBus')!, mainScope);
  queues = z.array(queueSchema).parse(serviceBusArgs['queues']);
  const call = modules(main).find((m) => m.path === 'modules/function-app.bicep')!;
  const functionApp = await readBicep(join(root, 'infra', call.path));
  const appSettings = resources(functionApp).find((r) => r.type === 'Microsoft.Web/sites/config')!;
  const scope = fileScope(functionApp, moduleArguments(call, mainScope));
  settings = evaluate(prop(appSettings.body, 'properties')!, scope) as Record<string, BicepValue>;
});

const byName = (name: string): Queue => {
  const q = queues.find((x) => x.name === name);
  if (!q) throw new Error(`queue ${name} is not created`);
  return q;
};

describe('Service Bus namespace', () => {
  it('is Standard tier, whose 256 KB message limit the queue port enforces', () => {
    expect(serviceBusArgs['skuObject']).toEqual({ name: 'Standard' });
    expect(SERVICE_BUS_MESSAGE_BYTES).toBe(256 * 1024);
  });
});

describe('queues', () => {
  it('are created from infra/queues.json, names included', () => {
    const file = z
      .record(z.string(), queueSchema)
      .parse(JSON.parse(readFileSync(join(root, 'infra', 'queues.json'), 'utf8')));
    expect(variables(main).get('queueSettings')?.text).toBe("loadJsonContent('queues.json')");
    expect(queues).toEqual(Object.values(file));
    expect(mainScope.lookup('queueNames')).toEqual(Object.fromEntries(Object.entries(file).map(([role, q]) => [role, q.name])));
  });

  it('are declared with the same settings on the embedded queue of the local stack', () => {
    const broker = new EmbeddedBroker();
    const tenantId = '00000000-0000-0000-0000-000000000000';
    declareAppQueues(broker, localConfig({ graphBaseUrl: 'http://127.0.0.1:9', tenantId, hostUrl: 'http://127.0.0.1:9' }));
    expect(broker.queueNames()).toEqual(queues.map((q) => q.name).sort());
    for (const q of queues) {
      expect(broker.queue(q.name).options, q.name).toMatchObject({
        requiresSession: q.requiresSession,
        requiresDuplicateDetection: q.requiresDuplicateDetection,
        lockDurationMs: seconds(q.lockDuration) * 1000,
        maxDeliveryCount: q.maxDeliveryCount,
        defaultTtlMs: seconds(q.defaultMessageTimeToLive) * 1000,
        deadLetterOnExpiry: q.deadLetteringOnMessageExpiration,
        ...(q.requiresDuplicateDetection
          ? { duplicateDetectionWindowMs: seconds(q.duplicateDetectionHistoryTimeWindow ?? '') * 1000 }
          : {}),
      });
    }
  });

  it('are the three of the design, with the sessions the consumers expect', () => {
    expect(queues.map((q) => q.name).sort()).toEqual(['graph-changes', 'writeback', 'writeback-results']);
    expect(byName('graph-changes').requiresSession).toBe(true); // session = tenant: one delta round at a time
    expect(byName('writeback').requiresSession).toBe(true); // session = cloud group id: FIFO per group
    expect(byName('writeback-results').requiresSession).toBe(false);
  });

  it('follow the ops facts: 10 deliveries, dead-lettering on expiry, windows and sizes within Standard limits', () => {
    for (const q of queues) {
      expect(q.maxDeliveryCount, q.name).toBe(10);
      expect(q.deadLetteringOnMessageExpiration, q.name).toBe(true);
      expect(seconds(q.lockDuration), q.name).toBeGreaterThanOrEqual(30);
      expect(seconds(q.lockDuration), q.name).toBeLessThanOrEqual(300);
      expect([1024, 2048, 3072, 4096, 5120], q.name).toContain(q.maxSizeInMegabytes);
      if (q.requiresDuplicateDetection) {
        const window = seconds(q.duplicateDetectionHistoryTimeWindow ?? '');
        expect(window, q.name).toBeGreaterThanOrEqual(20);
        expect(window, q.name).toBeLessThanOrEqual(7 * 24 * 3600);
      } else {
        expect(q.duplicateDetectionHistoryTimeWindow, q.name).toBeUndefined();
      }
    }
    expect(byName('writeback').requiresDuplicateDetection).toBe(true);
  });

  it('keep writeback messages long enough for a relay outage and lock them longer than the relay renews', () => {
    const relay = parseRelayConfig(JSON.parse(readFileSync(join(root, 'relay', 'deploy', 'linux', 'relay.sample.json'), 'utf8')));
    const writeback = byName('writeback');
    expect(seconds(writeback.lockDuration) * 1000).toBeGreaterThan(2 * relay.sessions.lockRenewMs);
    expect(seconds(writeback.defaultMessageTimeToLive)).toBeGreaterThanOrEqual(7 * 24 * 3600);
  });

  it('match the session flag of every queue trigger', () => {
    const triggers = functionDefinitions.filter(isQueueFunction);
    expect(triggers.length).toBeGreaterThan(0);
    for (const t of triggers) {
      const setting = /^%([^%]+)%$/.exec(t.trigger.queueName)?.[1];
      const queueName = setting ? resolveSetting(setting) : t.trigger.queueName;
      expect(byName(queueName).requiresSession, t.name).toBe(t.trigger.isSessionsEnabled);
    }
  });

  it('are the settings docs/deployment.md writes down', () => {
    const rows = markdownTable(readFileSync(join(root, 'docs', 'deployment.md'), 'utf8'), 'Queues');
    const documented = rows.map((r) => ({
      name: r['Queue'],
      requiresSession: r['Sessions']!.startsWith('yes'),
      duplicateDetection: r['Duplicate detection'] === 'off' ? false : r['Duplicate detection'],
      lockDuration: r['Lock duration'],
      maxDeliveryCount: Number(r['Max deliveries']),
      deadLetteringOnMessageExpiration: r['Dead-letter on expiry'] === 'yes',
      defaultMessageTimeToLive: r['Time to live'],
      maxSizeInMegabytes: Number(r['Max size (MB)']),
    }));
    const provisioned = queues.map((q) => ({
      name: q.name,
      requiresSession: q.requiresSession,
      duplicateDetection: q.requiresDuplicateDetection ? q.duplicateDetectionHistoryTimeWindow : false,
      lockDuration: q.lockDuration,
      maxDeliveryCount: q.maxDeliveryCount,
      deadLetteringOnMessageExpiration: q.deadLetteringOnMessageExpiration,
      defaultMessageTimeToLive: q.defaultMessageTimeToLive,
      maxSizeInMegabytes: q.maxSizeInMegabytes,
    }));
    expect(provisioned).toEqual(documented);
  });
});

/** The value of a queue-name app setting on the Function App. */
function resolveSetting(setting: string): string {
  const value = settings[setting];
  if (typeof value !== 'string') throw new Error(`app setting ${setting} is not a known queue name`);
  return value;
}
