// A Keras user's check of their own loss code against the service's keras.* losses: a batch with
// sample_weight, from_logits=True and label smoothing. Each request is printed beside the Keras
// call it stands for; no Keras is needed. The "own code" below is what a user would write from
// Keras's docs (numpy-style loops); the service answers Keras 3's exact numbers, so any
// difference is in the user's code.
//
//   npm run example -- keras-check        (against LOSS_SERVICE_URL, default http://127.0.0.1:3000)
import { SERVICE } from './lossClient.ts';

interface Answer {
  value: number;
  per_sample: number[];
  gradient: number[][];
}

async function kerasLoss(body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${SERVICE}/loss`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ include: ['per_sample', 'gradient'], ...body }) });
  if (!res.ok) throw new Error(`POST /loss answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Answer;
}

// ---- the user's own code -------------------------------------------------------------------
const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const logSoftmax = (row: number[]) => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
};

/** BinaryCrossentropy(from_logits=True, label_smoothing=ε): per sample, the mean over the last
 *  axis of softplus(x) − x·y′ with y′ = y·(1 − ε) + ε/2. */
const myBce = (logits: number[][], y: number[][], eps: number) => logits.map((row, i) => row.reduce((s, x, k) => s + softplus(x) - x * (y[i][k] * (1 - eps) + eps / 2), 0) / row.length);

/** CategoricalCrossentropy(from_logits=True, label_smoothing=ε): −Σ y′·log_softmax(x), y′ = y·(1 − ε) + ε/C. */
const myCce = (logits: number[][], y: number[][], eps: number) => logits.map((row, i) => -logSoftmax(row).reduce((s, lp, c) => s + (y[i][c] * (1 - eps) + eps / row.length) * lp, 0));

/** SparseCategoricalCrossentropy(from_logits=True): −log_softmax(x)[y]. */
const mySparse = (logits: number[][], y: number[]) => logits.map((row, i) => -logSoftmax(row)[y[i]]);

/** Keras's reductions of the weighted per-sample values W = v·w. */
const reduce = (v: number[], w: number[], reduction: 'sum_over_batch_size' | 'sum') => {
  const total = v.reduce((s, x, i) => s + x * w[i], 0);
  return reduction === 'sum' ? total : total / v.length;
};
// ---------------------------------------------------------------------------------------------

const logits = [
  [2.1, -0.7, 0.3],
  [-1.2, 0.4, 1.8],
  [0.5, 0.5, -2.0],
  [3.0, -3.0, 0.0],
];
const oneHot = [
  [1, 0, 0],
  [0, 0, 1],
  [0, 1, 0],
  [1, 0, 0],
];
const labels = [0, 2, 1, 0];
const multiLabel = [
  [1, 0, 1],
  [0, 0, 1],
  [1, 1, 0],
  [1, 0, 0],
];
const sampleWeight = [1.0, 0.5, 2.0, 0.0];

let failures = 0;

/** The service's answer against the user's: value, per-sample values, and the gradient against
 *  central differences of the user's own value. */
async function check(kerasCall: string, body: Record<string, unknown>, mine: (x: number[][]) => number) {
  const answer = await kerasLoss(body);
  console.log(`\n${kerasCall}\n  POST /loss ${JSON.stringify({ loss: body.loss, params: body.params, reduction: body.reduction })}`);
  const value = mine(logits);
  const h = 1e-6;
  let worstGradient = 0;
  for (let i = 0; i < logits.length; i++) {
    for (let k = 0; k < logits[i].length; k++) {
      const at = (d: number) => mine(logits.map((row, r) => row.map((x, c) => (r === i && c === k ? x + d : x))));
      worstGradient = Math.max(worstGradient, Math.abs((at(h) - at(-h)) / (2 * h) - answer.gradient[i][k]));
    }
  }
  const ok = Math.abs(answer.value - value) <= 1e-9 * Math.max(1, Math.abs(value)) && worstGradient < 1e-6;
  console.log(`  service: value ${answer.value}, per_sample [${answer.per_sample.map((v) => v.toFixed(6)).join(', ')}]`);
  console.log(`  my code: value ${value}; largest gradient difference ${worstGradient.toExponential(2)}`);
  console.log(ok ? '  OK: my code agrees with Keras' : '  MISMATCH: my code differs from Keras');
  if (!ok) failures++;
}

await check(
  "keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)(y_true, y_pred, sample_weight=w)",
  { loss: 'keras.binary_crossentropy', predictions: logits, targets: multiLabel, sample_weight: sampleWeight, params: { from_logits: true, label_smoothing: 0.1 } },
  (x) => reduce(myBce(x, multiLabel, 0.1), sampleWeight, 'sum_over_batch_size'),
);
await check(
  "keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(y_true, y_pred, sample_weight=w)",
  { loss: 'keras.categorical_crossentropy', predictions: logits, targets: oneHot, sample_weight: sampleWeight, params: { from_logits: true, label_smoothing: 0.1 } },
  (x) => reduce(myCce(x, oneHot, 0.1), sampleWeight, 'sum_over_batch_size'),
);
await check(
  "keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction='sum')(y_true, y_pred, sample_weight=w)",
  { loss: 'keras.sparse_categorical_crossentropy', predictions: logits, targets: labels, sample_weight: sampleWeight, params: { from_logits: true }, reduction: 'sum' },
  (x) => reduce(mySparse(x, labels), sampleWeight, 'sum'),
);

console.log(failures === 0 ? '\nall three checks agree' : `\n${failures} check(s) differ`);
process.exitCode = failures === 0 ? 0 : 1;
