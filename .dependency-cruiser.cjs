/**
 * The architecture, checked: the core depends on nothing; adapters depend on the core only; only the
 * CLI (the composition root) puts adapters together. Tests (and their support, in a package's test/ folder
 * or the test kit) may also use the test kit and tools; what ships, a package's src/, never does.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const TEST = '(\\.test\\.ts$|^packages/[^/]+/test/)';
/** Test support: the test kit, and any package's test/ or testing/ folder. */
const TEST_SUPPORT = '(^packages/testkit/|^packages/[^/]+/test/|/testing/)';
const ADAPTERS = '^packages/(adapter-[^/]+|http-express)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'The core imports nothing outside itself: no workspace package, no npm package, no Node module.',
      severity: 'error',
      from: { path: '^packages/core/src/', pathNot: TEST },
      to: { pathNot: '^packages/core/src/' },
    },
    {
      name: 'aggregation-below-the-ports',
      comment: 'The aggregation owns its state types; the ports import them, never the other way round.',
      severity: 'error',
      from: { path: '^packages/core/src/aggregation/', pathNot: TEST },
      to: { path: '^packages/core/src/(ports|pipeline|read-side)/' },
    },
    {
      name: 'adapters-import-only-the-core',
      comment: 'An adapter imports the core and its own libraries, never another adapter, the CLI or the test kit.',
      severity: 'error',
      from: { path: ADAPTERS, pathNot: TEST },
      to: { path: '^packages/', pathNot: ['^packages/core/src/', '^packages/$1/'] },
    },
    {
      name: 'only-the-cli-wires-adapters',
      comment: 'Adapters are put together in one place: the composition root.',
      severity: 'error',
      from: { path: '^packages/', pathNot: ['^packages/cli/', ADAPTERS, TEST] },
      to: { path: ADAPTERS },
    },
    {
      name: 'no-test-support-in-src',
      comment:
        'What a package ships (all but its tests) never imports test support: the test kit, a test/ or testing/ folder.',
      severity: 'error',
      from: { path: '^packages/', pathNot: [TEST, '^packages/testkit/'] },
      to: { path: TEST_SUPPORT },
    },
    {
      name: 'no-undeclared-imports',
      comment: 'Every import resolves from the importing package: a package uses only what it declares.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { couldNotResolve: true },
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
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.tests.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      conditionNames: ['@rsvp/source', 'import', 'node', 'default'],
      exportsFields: ['exports'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
