/**
 * The dependency rules of docs/ARCHITECTURE.md, checked by `npm run lint` (so by `npm test` and CI):
 * no import cycle between files, every import in src/ points down the layer order below, and
 * inside src/serving/ down its own order. Modules on the same layer may import each other (the
 * cycle rule still holds between them).
 */

/**
 * docs/ARCHITECTURE.md's layers, lowest first (keep the two the same). A name is a folder under
 * src/, or a file under src/ when it ends in `.ts`.
 */
const LAYERS = [
  ['errors.ts', 'util'],
  ['runtime'],
  ['formats'],
  ['model', 'data'],
  ['evaluation', 'storage'],
  ['graph'],
  ['savedmodel'],
  ['engine'],
  ['checkpoint'],
  ['training'],
  ['report', 'serving'],
  ['cli'],
];

/** serving/ keeps TF Serving's shape, each folder importing only those before it (lowest first). */
const SERVING_LAYERS = [
  ['serving-errors.ts'],
  ['apis'],
  ['monitoring'],
  ['servable'],
  ['batching'],
  ['lifecycle'],
  ['predict'],
  ['config'],
  ['servers'],
  ['client'],
];

const escapeRegex = (name) => name.replace(/[.]/g, '\\.');
const pathOf = (root, names) =>
  `^${root}(${names.map((name) => (name.endsWith('.ts') ? `${escapeRegex(name)}$` : `${name}/`)).join('|')})`;

/** One rule per layer of `layers` under `root`: nothing in it imports from a layer above it. */
const layerRules = (root, layers) =>
  layers.slice(0, -1).map((layer, index) => {
    const folders = `${root}${layer.join(', ')}`;
    return {
      name: `layer-${root.replace(/^src\//, '').replace(/\//g, '-')}${layer.join('-').replace(/\.ts$/, '')}-points-up`,
      comment: `${folders} may only import from its own layer or the ones below it (docs/ARCHITECTURE.md)`,
      severity: 'error',
      from: { path: pathOf(root, layer) },
      to: { path: pathOf(root, layers.slice(index + 1).flat()) },
    };
  });

/**
 * Every module under `root` belongs to one of `layers`, or its imports go unchecked: a module outside
 * them fails whether it imports (first rule) or is imported (second; a leaf imports nothing).
 */
const placementRules = (root, layers) => {
  const unplaced = { path: `^${root}`, pathNot: pathOf(root, layers.flat()) };
  const comment =
    `every folder under ${root} has a place in its layer order: ` +
    'add it to .dependency-cruiser.cjs and docs/ARCHITECTURE.md';
  const name = `not-in-a-layer-${root.replace(/\/$/, '').replace(/\//g, '-')}`;
  return [
    { name, comment, severity: 'error', from: unplaced, to: {} },
    { name: `${name}-imported`, comment, severity: 'error', from: {}, to: unplaced },
  ];
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle between files: move the shared part down a layer',
      severity: 'error',
      // Generated message types mirror the .proto schema, where recursive messages are legitimate.
      from: { pathNot: '^src/formats/proto/generated/' },
      to: { circular: true },
    },
    ...layerRules('src/', LAYERS),
    ...layerRules('src/serving/', SERVING_LAYERS),
    ...placementRules('src/', LAYERS),
    ...placementRules('src/serving/', SERVING_LAYERS),
    {
      name: 'src-not-to-tests-or-tools',
      comment: 'src/ is what the package runs: it never imports tests, benchmarks or project scripts',
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
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
