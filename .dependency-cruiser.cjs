/** Layer rules (docs/architecture.md, Layout): the domain is pure; functions/ and relay/ reach everything
 *  through shared/; nothing in the product depends on dev/, test/ or bench/. */
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
