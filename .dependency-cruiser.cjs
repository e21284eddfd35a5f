/** Layer rules (docs/architecture.md, Layout): the domain is pure; functions/ and relay/ reach everything
 *  through shared/; the gwb CLI (cli/) uses only the domain and contracts; nothing in the product depends on
 *  dev/, test/ or bench/. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'shared/domain imports nothing but itself: no SDK, no node: I/O, no other layer.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { pathNot: '^shared/domain/' },
    },
    {
      name: 'contracts-only-zod-and-domain',
      severity: 'error',
      from: { path: '^shared/contracts/' },
      to: { pathNot: ['^shared/(contracts|domain)/', 'node_modules/zod/'] },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      from: { path: '^shared/ports/' },
      to: { pathNot: ['^shared/(ports|domain|contracts)/'] },
    },
    {
      name: 'product-does-not-use-dev-or-test',
      severity: 'error',
      from: { path: '^(functions|shared|relay)/' },
      to: { path: '^(dev|test|bench)/' },
    },
    {
      name: 'functions-and-relay-only-through-shared',
      comment: 'functions/ and relay/ do not import each other.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^relay/' },
    },
    {
      name: 'relay-not-functions',
      severity: 'error',
      from: { path: '^relay/' },
      to: { path: '^functions/' },
    },
    {
      name: 'cli-through-the-admin-api',
      comment: 'The gwb CLI (cli/) works over the admin API and Graph: of the product it uses the domain and the contracts only.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: ['^(functions|relay|dev|test|bench)/', '^shared/(?!(domain|contracts)/)'] },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'cli/ is a leaf: only its tests import it.',
      severity: 'error',
      from: { pathNot: '^(cli|test)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'shared-below-functions-and-relay',
      comment: 'shared/ serves both hosts and knows neither.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|relay)/' },
    },
    {
      name: 'app-and-state-through-ports',
      comment: 'Use cases and state records reach Graph, queues and tables through shared/ports; the adapters are chosen by the composition roots.',
      severity: 'error',
      from: { path: '^shared/(app|state)/' },
      to: { path: '^shared/adapters/' },
    },
    {
      name: 'state-below-app',
      comment: 'State records are used by the use cases, never the other way round.',
      severity: 'error',
      from: { path: '^shared/state/' },
      to: { path: '^shared/app/' },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'An adapter implements a port; it knows no use case or state record.',
      severity: 'error',
      from: { path: '^shared/adapters/' },
      to: { path: '^shared/(app|state)/' },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports and that imports nothing is dead or misplaced (type declarations and dotfile configs aside).',
      severity: 'error',
      from: { orphan: true, pathNot: ['(^|/)[.][^/]+[.](js|cjs|mjs|ts|json)$', '[.]d[.]ts$', '(^|/)[^/]+[.]config[.](js|cjs|mjs|ts)$'] },
      to: {},
    },
    {
      name: 'product-reachable-from-entry-points',
      comment: 'Every module of the build is used by the Functions app (functions/index.ts) or the relay process (relay/main.ts): no dead product code.',
      severity: 'error',
      from: { path: '^(functions/index|relay/main)[.]ts$' },
      to: { path: '^(functions|shared|relay)/', pathNot: '^(functions/index|relay/main)[.]ts$', reachable: false },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '(^|/)(node_modules|dist|\\.tools)/' },
  },
};
