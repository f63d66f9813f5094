// Imports follow the data path: transport → validation → pool → kernel (losses) → response.
// A stage may use what comes after it, never what comes before; the routes (src/http), the
// plots and the entry points compose the stages and may use any of them; the error catalog is
// for everyone. The check (src/check: POST /check's search) composes validation, the pool and
// the kernels, below the routes. The task contract (src/task: the task a kernel runs, its
// result, the answer's outputs) lies below the pool and the response, which both read it, and
// above the kernels. `npm test` runs this (npm run lint); a back edge fails it.
const stage = (name) => `^src/${name}/`;

/** [stage, the stages it must not import] */
const layers = [
  ['losses', ['http', 'transport', 'validation', 'pool', 'response', 'plots', 'task', 'check']],
  ['check', ['http', 'transport', 'response', 'plots']],
  ['task', ['http', 'transport', 'validation', 'pool', 'response', 'plots', 'check']],
  ['response', ['http', 'transport', 'validation', 'pool', 'plots', 'check']],
  ['pool', ['http', 'transport', 'validation', 'response', 'plots', 'check']],
  ['validation', ['http', 'transport', 'response', 'plots', 'check']],
  ['transport', ['http', 'plots']],
  ['errors', ['http', 'transport', 'validation', 'pool', 'losses', 'response', 'plots', 'task']],
];

module.exports = {
  forbidden: [
    ...layers.map(([from, notTo]) => ({
      name: `no-back-edge-from-${from}`,
      comment: `${from}/ comes later on the data path than ${notTo.join(', ')}`,
      severity: 'error',
      from: {
        path: stage(from),
        // The one exception: a worker thread also parses large JSON bodies (transport's step),
        // so the pool's worker entry and its typed call import transport/jsonDocument.ts.
        pathNot: '^src/pool/(worker|lossPool)\\.ts$',
      },
      to: { path: notTo.map(stage) },
    })),
    {
      name: 'pool-runs-only-the-json-parse-of-transport',
      severity: 'error',
      from: { path: '^src/pool/(worker|lossPool)\\.ts$' },
      to: { path: [stage('http'), stage('validation'), stage('response'), stage('plots'), '^src/transport/(?!jsonDocument\\.ts$)'] },
    },
    {
      name: 'load-does-not-import-test',
      comment: 'test/ may use load/support (one support module); load/ never imports test/',
      severity: 'error',
      from: { path: '^load/' },
      to: { path: '^test/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
