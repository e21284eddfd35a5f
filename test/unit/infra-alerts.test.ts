// The alerts (infra/modules/alerts.bicep), checked offline: the log search alerts for change sets that did not
// land, held change sets, subscription errors and relay silence exist, run on Application Insights, reach the
// action group, and every log line or function their queries name is one the code really writes or registers
// (a renamed log message would otherwise silence an alert without anyone noticing).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/catalog.js';
import { evaluate, fileScope, moduleArguments, modules, prop, readBicep, resources, type BicepFile } from '../support/bicep.js';

const root = join(import.meta.dirname, '..', '..');

interface LogAlert {
  name: string;
  displayName: string;
  description: string;
  severity: number;
  frequency: string;
  window: string;
  query: string;
}

let alerts: BicepFile;
let logAlerts: LogAlert[];
let productSource: string;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The log messages a query compares `log.msg` with. */
function messagesIn(query: string): string[] {
  const out: string[] = [];
  for (const [, single, list] of query.matchAll(/tostring\(log\.msg\)\s*(?:==\s*"([^"]+)"|in\s*\(([^)]*)\))/g)) {
    if (single !== undefined) out.push(single);
    if (list !== undefined) out.push(...[...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
  }
  return out;
}

/** Whether the product's code writes `message` as a string literal (single quotes escape an apostrophe). */
function written(message: string): boolean {
  return productSource.includes(`'${message.replace(/'/g, "\\'")}'`) || productSource.includes(`"${message}"`);
}

beforeAll(async () => {
  const main = await readBicep(join(root, 'infra', 'main.bicep'));
  const call = modules(main).find((m) => m.path === 'modules/alerts.bicep')!;
  alerts = await readBicep(join(root, 'infra', call.path));
  const scope = fileScope(alerts, moduleArguments(call, fileScope(main)));
  logAlerts = scope.lookup('logAlerts') as unknown as LogAlert[];
  expect(prop(call.body, 'params', 'appInsightsResourceId')?.text).toBe('appInsights.outputs.resourceId');
  productSource = ['functions', 'shared']
    .flatMap((d) => sources(join(root, d)))
    .map((f) => `// ${relative(root, f)}\n${readFileSync(f, 'utf8')}`)
    .join('\n');
});

describe('log search alerts', () => {
  it('cover change sets that did not land, held change sets, subscription errors and relay silence', () => {
    expect(logAlerts.map((a) => a.name.replace(/-\$\{resourceToken\}$/, ''))).toEqual([
      'change-sets-not-landed',
      'change-sets-held',
      'subscription-errors',
      'relay-no-results',
    ]);
    for (const a of logAlerts) {
      expect(a.query, a.name).toMatch(/^traces \| extend log = parse_json\(message\) \|/);
      expect(a.severity, a.name).toBeLessThanOrEqual(2);
    }
  });

  it('name only log lines the code writes', () => {
    const named = logAlerts.flatMap((a) => messagesIn(a.query));
    expect(named.length).toBeGreaterThanOrEqual(5);
    expect(named.filter((m) => !written(m))).toEqual([]);
  });

  it('the subscription alert watches functions the catalog registers', () => {
    const query = logAlerts.find((a) => a.name.startsWith('subscription-errors'))!.query;
    const fns = [...(/tostring\(log\.fn\)\s*in\s*\(([^)]*)\)/.exec(query)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(fns.sort()).toEqual(['graphLifecycle', 'subscriptions']);
    const names = functionDefinitions.map((d) => d.name);
    for (const fn of fns) expect(names).toContain(fn);
    // Both log their failures at error level.
    expect(written('subscription check failed')).toBe(true);
    expect(written('lifecycle notification not fully handled; answering 5xx so Graph retries')).toBe(true);
  });

  it('the relay alert waits relaySilenceWindow after change sets went out', () => {
    const relay = logAlerts.find((a) => a.name.startsWith('relay-no-results'))!;
    expect(relay.query).toContain('lastSent < ago(1h)');
    expect(relay.query).toContain('toint(log.messagesSent) > 0');
    // The round's log line has the field the query reads.
    expect(productSource).toMatch(/messagesSent: messages,/);
  });

  it('are log alert rules on Application Insights, one per entry, wired to the action group', () => {
    const rule = resources(alerts).find((r) => r.type === 'Microsoft.Insights/scheduledQueryRules')!;
    expect(rule.loop).toBe(true);
    expect(prop(rule.body, 'kind')?.text).toBe("'LogAlert'");
    expect(prop(rule.body, 'properties', 'scopes')?.text.replace(/\s+/g, ' ')).toBe('[ appInsightsResourceId ]');
    expect(prop(rule.body, 'properties', 'actions')?.text).toBe('logAlertActions');
    expect(prop(rule.body, 'properties', 'autoMitigate')?.text).toBe('true');
    expect(evaluate(prop(rule.body, 'properties', 'enabled')!, fileScope(alerts))).toBe(true);
  });
});
