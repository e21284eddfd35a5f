// The Function App's app settings (infra/modules/function-app.bicep) are exactly the settings that are read: the
// keys of shared/config.ts's schema, the settings the function bindings reference (connection prefixes and
// %SETTING% placeholders, from functions/catalog.ts), and the few the Functions host itself reads. Both directions:
// nothing the code needs is missing, nothing provisioned is unused. The docs table lists the same names.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/catalog.js';
import { isHttpFunction, isQueueFunction, isTimerFunction } from '../../functions/registry.js';
import { cloudConfigSchema } from '../../shared/config.js';
import {
  evaluate,
  fileScope,
  moduleArguments,
  modules,
  params,
  prop,
  readBicep,
  resources,
  type BicepFile,
  type BicepValue,
} from '../support/bicep.js';
import { markdownTable } from '../support/markdown-table.js';

const root = join(import.meta.dirname, '..', '..');

/** Read by the Functions host, not by our code: identity-based host storage and Entra ID telemetry. */
const HOST_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

/** Identity-based connection with a user-assigned identity: the three settings the extension reads. */
function connectionSettings(connection: string): string[] {
  return [`${connection}__fullyQualifiedNamespace`, `${connection}__credential`, `${connection}__clientId`];
}

function placeholder(value: string): string | undefined {
  return /^%([^%]+)%$/.exec(value)?.[1];
}

/** What the bindings read: connection prefixes and %SETTING% placeholders. */
function bindingSettings(): string[] {
  const out = new Set<string>();
  for (const d of functionDefinitions) {
    if (isQueueFunction(d)) {
      for (const s of connectionSettings(d.trigger.connection)) out.add(s);
      const q = placeholder(d.trigger.queueName);
      if (q) out.add(q);
    }
    if (isTimerFunction(d)) {
      const s = placeholder(d.trigger.schedule);
      if (s) out.add(s);
    }
  }
  return [...out];
}

let main: BicepFile;
let functionApp: BicepFile;
let settings: Record<string, BicepValue>;

beforeAll(async () => {
  main = await readBicep(join(root, 'infra', 'main.bicep'));
  const call = modules(main).find((m) => m.path === 'modules/function-app.bicep')!;
  functionApp = await readBicep(join(root, 'infra', call.path));
  const scope = fileScope(functionApp, moduleArguments(call, fileScope(main)));
  const appSettings = resources(functionApp).find((r) => r.type === 'Microsoft.Web/sites/config')!;
  expect(evaluate(prop(appSettings.body, 'name')!, scope)).toBe('appsettings');
  settings = evaluate(prop(appSettings.body, 'properties')!, scope) as Record<string, BicepValue>;
});

describe('app settings', () => {
  it('are exactly the settings the code, the bindings and the Functions host read', () => {
    const read = new Set([...Object.keys(cloudConfigSchema.shape), ...bindingSettings(), ...HOST_SETTINGS]);
    expect(Object.keys(settings).sort()).toEqual([...read].sort());
  });

  it('finds the bindings it checks (queue triggers and timers with placeholders)', () => {
    expect(bindingSettings()).toEqual(
      expect.arrayContaining([
        'ServiceBusConnection__fullyQualifiedNamespace',
        'WRITEBACK_RESULTS_QUEUE',
        'SUBSCRIPTION_SCHEDULE',
      ]),
    );
  });

  it('every binding placeholder is also validated at start-up by shared/config.ts', () => {
    const placeholders = bindingSettings().filter((s) => !s.includes('__'));
    expect(placeholders.filter((p) => !(p in cloudConfigSchema.shape))).toEqual([]);
  });

  it('use the managed identity for every connection and hold no key', () => {
    for (const [key, value] of Object.entries(settings)) {
      if (key.endsWith('__credential')) expect(value, key).toBe('managedidentity');
      if (key.endsWith('__clientId')) expect(value, key).toEqual(settings['AZURE_CLIENT_ID']);
      expect(JSON.stringify(value), key).not.toMatch(/AccountKey=|SharedAccessKey|listKeys\(/);
    }
    expect(settings['APPLICATIONINSIGHTS_AUTHENTICATION_STRING']).toMatch(/^ClientId=\$\{identityClientId\};Authorization=AAD$/);
  });

  it('read the clientState secrets through Key Vault references', () => {
    expect(settings['CLIENT_STATE_SECRET']).toMatch(/^@Microsoft\.KeyVault\(SecretUri=\$\{clientStateUri\}\)$/);
    expect(settings['CLIENT_STATE_SECRET_PREVIOUS']).toMatch(
      /^@Microsoft\.KeyVault\(SecretUri=\$\{clientStatePreviousUri\}\)$/,
    );
    const vault = resources(functionApp).find((r) => r.type === 'Microsoft.Web/sites')!;
    expect(prop(vault.body, 'properties', 'keyVaultReferenceIdentity')?.text).toBe('identityResourceId');
  });

  it('point Graph at the webhook and lifecycle routes the functions serve', () => {
    const http = functionDefinitions.filter(isHttpFunction);
    const route = (name: string): string => http.find((d) => d.name === name)!.trigger.route;
    const prefix = routePrefix();
    expect(settings['NOTIFICATION_URL']).toBe(`https://\${site.properties.defaultHostName}/${prefix}/${route('graphWebhook')}`);
    expect(settings['LIFECYCLE_NOTIFICATION_URL']).toBe(
      `https://\${site.properties.defaultHostName}/${prefix}/${route('graphLifecycle')}`,
    );
  });

  it('name the queues main.bicep creates', () => {
    const queues = moduleArguments(modules(main).find((m) => m.name === 'serviceBus')!, fileScope(main))['queues'];
    const names = (queues as { name: string }[]).map((q) => q.name);
    for (const key of ['GRAPH_CHANGES_QUEUE', 'WRITEBACK_QUEUE', 'WRITEBACK_RESULTS_QUEUE']) {
      expect(names, key).toContain(settings[key]);
    }
  });

  it('default to the same values as shared/config.ts, so Azure and the local host behave alike', () => {
    const defaults = new Map(params(main).map((p) => [p.name, p.defaultValue && evaluate(p.defaultValue, fileScope(main))]));
    const shape = cloudConfigSchema.shape;
    expect(defaults.get('subscriptionSchedule')).toBe(shape.SUBSCRIPTION_SCHEDULE.parse(undefined));
    expect(defaults.get('reconcileSchedule')).toBe(shape.RECONCILE_SCHEDULE.parse(undefined));
    expect(defaults.get('repairSchedule')).toBe(shape.REPAIR_SCHEDULE.parse(undefined));
    expect(defaults.get('pendingLimitMinutes')).toBe(shape.PENDING_LIMIT_MINUTES.parse(undefined));
    expect(defaults.get('logLevel')).toBe(shape.LOG_LEVEL.parse(undefined));
    expect(defaults.get('graphBaseUrl')).toBe(shape.GRAPH_BASE_URL.parse(undefined));
    expect(settings['WRITEBACK_QUEUE']).toBe(shape.WRITEBACK_QUEUE.parse(undefined));
    expect(settings['GRAPH_CHANGES_QUEUE']).toBe(shape.GRAPH_CHANGES_QUEUE.parse(undefined));
    expect(settings['WRITEBACK_RESULTS_QUEUE']).toBe(shape.WRITEBACK_RESULTS_QUEUE.parse(undefined));
  });

  it('are the ones docs/deployment.md lists', () => {
    const rows = markdownTable(readFileSync(join(root, 'docs', 'deployment.md'), 'utf8'), 'App settings');
    expect(rows.map((r) => r['Setting']).sort()).toEqual(Object.keys(settings).sort());
  });
});

/** host.json's extensions.http.routePrefix, "api" when not set (the Functions default). */
function routePrefix(): string {
  const path = join(root, 'host.json');
  if (!existsSync(path)) return 'api';
  const host = JSON.parse(readFileSync(path, 'utf8')) as { extensions?: { http?: { routePrefix?: string } } };
  return host.extensions?.http?.routePrefix ?? 'api';
}
