/**
 * The layers of src/, ground floor first. A folder may import its own layer's folders and any layer below it,
 * never one above; no module may take part in an import cycle. `test/structure.test.ts` runs these rules.
 */
const layers = [
  ['model', 'config', 'crypto', 'log.ts'],
  ['store'],
  ['ingest', 'search', 'mail', 'thumbnails'],
  ['accounts', 'community', 'digest', 'library', 'foryou'],
  ['web', 'jobs'],
  ['cli'],
];

const path = (names) => `^src/(${names.map((n) => n.replace('.', '\\.')).join('|')})($|/)`;
const nonTest = '\\.test\\.tsx?$';

const upward = layers.slice(0, -1).map((names, i) => ({
  name: `layer-${i}-imports-upward`,
  comment: `${names.join(', ')} may import only ${layers.slice(0, i + 1).flat().join(', ')}`,
  severity: 'error',
  from: { path: path(names), pathNot: nonTest },
  to: { path: path(layers.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-cycle',
      comment: 'An import cycle ties modules that should be read one after the other.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'product-imports-no-tests',
      comment: 'Test and benchmark helpers live in test/ and bench/; the product never imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: nonTest },
      to: { path: ['^test/', '^bench/', nonTest] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, pathNot: '^node:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
  },
};
