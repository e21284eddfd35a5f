// The Function App's scale settings (infra/main.bicep -> infra/modules/function-app.bicep), checked without a
// Bicep compiler: the maximum instance count stays inside what Flex Consumption accepts (40 to 1000, Microsoft
// Learn, Flex Consumption plan), and the HTTP function group keeps its always-ready instance by default.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decoratorArguments,
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
  type ParamDecl,
} from '../support/bicep.js';

const infra = join(import.meta.dirname, '..', '..', 'infra');
/** Flex Consumption's documented range for maximumInstanceCount. */
const FLEX_LOWEST_MAXIMUM = 40;
const FLEX_HIGHEST_MAXIMUM = 1000;

let main: BicepFile;
let functionApp: BicepFile;
let scaleAndConcurrency: Record<string, BicepValue>;

function param(file: BicepFile, name: string): ParamDecl {
  const found = params(file).find((p) => p.name === name);
  if (!found) throw new Error(`${file.path} declares no parameter ${name}`);
  return found;
}

function bound(p: ParamDecl, decorator: 'minValue' | 'maxValue'): number | undefined {
  const args = decoratorArguments(p, decorator);
  return args?.length === 1 ? Number(args[0]!.text) : undefined;
}

function defaultOf(p: ParamDecl): BicepValue | undefined {
  return p.defaultValue && evaluate(p.defaultValue, fileScope(main));
}

beforeAll(async () => {
  main = await readBicep(join(infra, 'main.bicep'));
  const call = modules(main).find((m) => m.path === 'modules/function-app.bicep')!;
  functionApp = await readBicep(join(infra, call.path));
  const site = resources(functionApp).find((r) => r.type === 'Microsoft.Web/sites')!;
  const scope = fileScope(functionApp, moduleArguments(call, fileScope(main)));
  scaleAndConcurrency = evaluate(prop(site.body, 'properties', 'functionAppConfig', 'scaleAndConcurrency')!, scope) as Record<string, BicepValue>;
});

describe('maximum instance count', () => {
  it('accepts only what Flex Consumption accepts (40 to 1000)', () => {
    const p = param(main, 'functionMaximumInstanceCount');
    expect(bound(p, 'minValue')).toBe(FLEX_LOWEST_MAXIMUM);
    expect(bound(p, 'maxValue')).toBe(FLEX_HIGHEST_MAXIMUM);
    const value = defaultOf(p);
    expect(typeof value === 'number' && value >= FLEX_LOWEST_MAXIMUM && value <= FLEX_HIGHEST_MAXIMUM).toBe(true);
  });

  it('is what the plan gets', () => {
    expect(scaleAndConcurrency['maximumInstanceCount']).toBe(defaultOf(param(main, 'functionMaximumInstanceCount')));
  });
});

describe('always-ready instances', () => {
  it('keep one instance of the HTTP group warm by default, configurable down to none', () => {
    const p = param(main, 'functionHttpAlwaysReady');
    expect(defaultOf(p)).toBe(1);
    expect(bound(p, 'minValue')).toBe(0);
    // Never more than the smallest maximum instance count the plan can have.
    expect(bound(p, 'maxValue')).toBeLessThanOrEqual(FLEX_LOWEST_MAXIMUM);
  });

  it('are set for the `http` group (all HTTP functions scale together there) and nothing else', () => {
    expect(scaleAndConcurrency['alwaysReady']).toEqual([{ name: 'http', instanceCount: 1 }]);
  });
});
