/**
 * The dependency rules of docs/ARCHITECTURE.md, checked by `npm run lint` (so by `npm test` and CI):
 * no import cycle between files, and every import in src/ points down the layer order below.
 * Modules on the same layer may import each other (the cycle rule still holds between them).
 * Known violations that are being removed live in .dependency-cruiser-known-violations.json
 * (`npm run lint:deps:baseline` rewrites it); a new one fails.
 */

/** Lowest first. A name is a folder under src/, or a file under src/ when it ends in `.ts`. */
const LAYERS = [
  ['util', 'errors.ts'],
  ['formats'],
  ['data', 'model'],
  ['runtime'],
  ['engine', 'graph'],
  ['training', 'checkpoint'],
  ['savedmodel', 'storage', 'evaluation'],
  ['report', 'serving'],
  ['cli'],
];

const escapeRegex = (name) => name.replace(/[.]/g, '\\.');
const pathOf = (names) => `^src/(${names.map((name) => (name.endsWith('.ts') ? `${escapeRegex(name)}$` : `${name}/`)).join('|')})`;

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.join('-').replace(/\.ts$/, '')}-points-up`,
  comment: `${layer.join(', ')} may only import from its own layer or the ones below it (docs/ARCHITECTURE.md)`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: pathOf(LAYERS.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle between files: move the shared part down a layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'not-in-a-layer',
      comment: 'every folder under src/ has a place in the layer order: add it to LAYERS in .dependency-cruiser.cjs and to docs/ARCHITECTURE.md',
      severity: 'error',
      from: { path: '^src/', pathNot: pathOf(LAYERS.flat()) },
      to: {},
    },
    {
      name: 'src-not-to-tests-or-tools',
      comment: 'the shipped code cannot import tests, benchmarks or scripts (they are not in the package)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'src-not-to-dev-dependencies',
      comment: 'an installed package has no devDependencies: move the package to dependencies',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: 'node_modules/@types/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve to a file or an installed package',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from a higher layer is still a dependency on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
