// Structure of the deployment, checked without a Bicep compiler: module paths exist and their parameters line up,
// registry modules are pinned, every main.bicep parameter gets a value, outputs are UPPER_SNAKE and carry no
// secret, everything is tagged for azd, and azure.yaml / bicepconfig.json point at what exists.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fileScope,
  modules,
  objectProperties,
  outputs,
  params,
  prop,
  readBicep,
  referencedIdentifiers,
  resources,
  variables,
  stringLiteral,
  type BicepFile,
} from '../support/bicep.js';

const root = join(import.meta.dirname, '..', '..');
const infra = join(root, 'infra');
const mainPath = join(infra, 'main.bicep');

const parametersFileSchema = z.object({
  parameters: z.record(z.string(), z.object({ value: z.unknown() }).strict()),
});

const azureYamlSchema = z.object({
  name: z.string(),
  infra: z.object({ provider: z.literal('bicep'), path: z.string(), module: z.string() }),
  services: z.record(z.string(), z.object({ project: z.string(), language: z.string(), host: z.string() })),
  hooks: z.record(
    z.string(),
    z.object({
      posix: z.object({ shell: z.string(), run: z.string() }),
      windows: z.object({ shell: z.string(), run: z.string() }),
    }),
  ),
});

const bicepConfigSchema = z.object({
  extensions: z.record(z.string(), z.string()),
  analyzers: z.object({
    core: z.object({ enabled: z.literal(true), rules: z.record(z.string(), z.object({ level: z.string() })) }),
  }),
});

let main: BicepFile;
const localModules = new Map<string, BicepFile>();

beforeAll(async () => {
  main = await readBicep(mainPath);
  for (const m of modules(main).filter((x) => !x.path.startsWith('br'))) {
    localModules.set(m.path, await readBicep(join(infra, m.path)));
  }
});

describe('main.bicep', () => {
  it('is deployed at subscription scope', () => {
    expect(main.source).toMatch(/^targetScope = 'subscription'$/m);
  });

  it('uses only modules that exist: local files, or Azure Verified Modules pinned to an exact version', () => {
    const refs = modules(main).map((m) => m.path);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) {
      if (ref.startsWith('br')) {
        expect(ref, ref).toMatch(/^br\/public:avm\/(res|ptn|utl)\/[a-z0-9-]+\/[a-z0-9-]+(\/[a-z0-9-]+)?:\d+\.\d+\.\d+$/);
      } else {
        expect(existsSync(join(infra, ref)), `${ref} exists`).toBe(true);
      }
    }
  });

  it('gives every parameter a default or a value in main.parameters.json, and nothing else', () => {
    const file = parametersFileSchema.parse(JSON.parse(readFileSync(join(infra, 'main.parameters.json'), 'utf8')));
    const declared = params(main);
    const withoutValue = declared
      .filter((p) => p.defaultValue === undefined && !(p.name in file.parameters))
      .map((p) => p.name);
    expect(withoutValue).toEqual([]);
    const names = new Set(declared.map((p) => p.name));
    expect(Object.keys(file.parameters).filter((k) => !names.has(k))).toEqual([]);
  });

  it('marks the clientState parameters secure and keeps them out of the outputs', () => {
    const secure = params(main).filter((p) => p.decorators.includes('secure')).map((p) => p.name);
    expect(secure.sort()).toEqual(['clientStateSecret', 'clientStateSecretPrevious', 'generatedClientState']);
    for (const output of outputs(main)) {
      for (const name of [...secure, 'currentClientState', 'previousClientState']) {
        expect(output.value.text, output.name).not.toMatch(new RegExp(`\\b${name}\\b`));
      }
    }
  });

  it('names outputs in UPPER_SNAKE and publishes the webhook and lifecycle URLs', () => {
    const names = outputs(main).map((o) => o.name);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    expect(names).toEqual(expect.arrayContaining(['NOTIFICATION_URL', 'LIFECYCLE_NOTIFICATION_URL']));
  });

  it('derives names from a resource token and tags everything with the azd environment name', () => {
    const scope = fileScope(main);
    expect(scope.lookup('tags')).toEqual({ 'azd-env-name': expect.anything() as unknown });
    expect(prop(resources(main).find((r) => r.name === 'rg')?.body, 'tags')?.text).toBe('tags');
    const token = main.source.match(/^var resourceToken = (.*)$/m)?.[1];
    expect(token).toBe('toLower(uniqueString(subscription().id, environmentName, location))');
    for (const m of modules(main)) {
      const args = prop(m.body, 'params');
      const localFile = localModules.get(m.path);
      const takesTags = localFile ? params(localFile).some((p) => p.name === 'tags') : true;
      if (takesTags) expect(args && objectProperties(args).get('tags')?.text, `${m.name} gets tags`).toBe('tags');
    }
  });

  it('passes every required parameter of a local module and no parameter it does not declare', () => {
    for (const m of modules(main).filter((x) => !x.path.startsWith('br'))) {
      const declared = params(localModules.get(m.path)!);
      const args = prop(m.body, 'params');
      const given = new Set(args ? objectProperties(args).keys() : []);
      const missing = declared.filter((p) => p.defaultValue === undefined && !given.has(p.name)).map((p) => p.name);
      const unknown = [...given].filter((g) => !declared.some((p) => p.name === g));
      expect({ module: m.path, missing, unknown }).toEqual({ module: m.path, missing: [], unknown: [] });
    }
  });

  it('documents every parameter of every template', () => {
    const files = [main, ...localModules.values()];
    for (const file of files) {
      for (const p of params(file)) expect(p.decorators, `${file.path}: ${p.name}`).toContain('description');
    }
  });

  // The linter runs at `azd provision` with these rules at error level; checked here so CI fails first.
  it('leaves no parameter, variable or existing resource unused (no-unused-params / -vars / -existing-resources)', () => {
    for (const file of [main, ...localModules.values()]) {
      const used = referencedIdentifiers(file);
      const declared = [
        ...params(file).map((p) => p.name),
        ...variables(file).keys(),
        ...resources(file)
          .filter((r) => r.existing && r.parent === undefined)
          .map((r) => r.name),
      ];
      expect(declared.filter((d) => !used.has(d)), file.path).toEqual([]);
    }
  });

  it('marks every parameter that looks like a secret @secure (secure-secrets-in-params)', () => {
    for (const file of [main, ...localModules.values()]) {
      for (const p of params(file).filter((x) => /password|pwd|secret|accountkey|acctkey/i.test(x.name))) {
        expect(p.decorators, `${file.path}: ${p.name}`).toContain('secure');
      }
    }
  });

  it('gives every resource an explicit API version (nested ones inherit their parent\'s)', () => {
    for (const file of [main, ...localModules.values()]) {
      for (const r of resources(file)) {
        if (r.parent !== undefined && r.apiVersion === undefined) continue;
        expect(r.apiVersion, `${file.path}: ${r.name}`).toMatch(/^(\d{4}-\d{2}-\d{2}(-preview)?|v1\.0)$/);
      }
    }
  });
});

describe('hardening', () => {
  it('turns off shared keys, SAS and local auth everywhere', () => {
    const byName = new Map(modules(main).map((m) => [m.name, m]));
    const arg = (module: string, key: string): string | undefined => prop(byName.get(module)?.body, 'params', key)?.text;
    expect(arg('storage', 'allowSharedKeyAccess')).toBe('false');
    expect(arg('storage', 'allowBlobPublicAccess')).toBe('false');
    expect(arg('serviceBus', 'disableLocalAuth')).toBe('true');
    expect(arg('serviceBus', 'authorizationRules')).toBe('[]');
    expect(arg('appInsights', 'disableLocalAuth')).toBe('true');
    const workspace = resources(localModules.get('modules/log-analytics.bicep')!)[0]!;
    expect(prop(workspace.body, 'properties', 'features', 'disableLocalAuth')?.text).toBe('true');
    const vault = resources(localModules.get('modules/key-vault.bicep')!).find((r) => r.name === 'vault')!;
    expect(prop(vault.body, 'properties', 'enableRbacAuthorization')?.text).toBe('true');
  });

  it('runs the Function App on Flex Consumption, Node 22, HTTPS only, TLS 1.2, no basic publishing', () => {
    const app = localModules.get('modules/function-app.bicep')!;
    const all = resources(app);
    const plan = all.find((r) => r.type === 'Microsoft.Web/serverfarms')!;
    expect(stringLiteral(prop(plan.body, 'sku', 'tier'))).toBe('FlexConsumption');
    const site = all.find((r) => r.type === 'Microsoft.Web/sites')!;
    expect(prop(site.body, 'properties', 'httpsOnly')?.text).toBe('true');
    expect(stringLiteral(prop(site.body, 'properties', 'siteConfig', 'minTlsVersion'))).toBe('1.2');
    expect(stringLiteral(prop(site.body, 'properties', 'functionAppConfig', 'runtime', 'name'))).toBe('node');
    expect(stringLiteral(prop(site.body, 'properties', 'functionAppConfig', 'runtime', 'version'))).toBe('22');
    const policies = all.filter((r) => r.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => [stringLiteral(prop(p.body, 'name')), prop(p.body, 'properties', 'allow')?.text])).toEqual([
      ['ftp', 'false'],
      ['scm', 'false'],
    ]);
  });
});

describe('azure.yaml and bicepconfig.json', () => {
  it('azure.yaml provisions infra/main.bicep and deploys the functions; its hooks exist', () => {
    const config = azureYamlSchema.parse(parseYaml(readFileSync(join(root, 'azure.yaml'), 'utf8')));
    expect(existsSync(join(root, config.infra.path, `${config.infra.module}.bicep`))).toBe(true);
    expect(config.services['functions']).toEqual({ project: '.', language: 'ts', host: 'function' });
    for (const hook of Object.values(config.hooks)) {
      expect(existsSync(join(root, hook.posix.run))).toBe(true);
      expect(existsSync(join(root, hook.windows.run))).toBe(true);
    }
  });

  it('the Function App carries the azd service tag of the service in azure.yaml', () => {
    const site = resources(localModules.get('modules/function-app.bicep')!).find((r) => r.type === 'Microsoft.Web/sites')!;
    expect(prop(site.body, 'tags')?.text).toContain("'azd-service-name': 'functions'");
  });

  it('bicepconfig.json pins the Graph extension every template declares and turns the linter up', () => {
    const config = bicepConfigSchema.parse(JSON.parse(readFileSync(join(root, 'bicepconfig.json'), 'utf8')));
    const declared = [main, ...localModules.values()].flatMap((f) =>
      [...f.source.matchAll(/^extension\s+([A-Za-z_]\w*)\s*$/gm)].map((m) => m[1]!),
    );
    expect(declared).toContain('microsoftGraphV1');
    for (const alias of declared) {
      expect(config.extensions[alias], alias).toMatch(/^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/);
    }
    const levels = Object.values(config.analyzers.core.rules).map((r) => r.level);
    expect(levels.filter((l) => l === 'error').length).toBeGreaterThan(levels.length / 2);
    expect(config.analyzers.core.rules['secure-parameter-default']?.level).toBe('error');
    expect(config.analyzers.core.rules['outputs-should-not-contain-secrets']?.level).toBe('error');
    expect(existsSync(join(dirname(mainPath), '..', 'bicepconfig.json'))).toBe(true);
  });
});
