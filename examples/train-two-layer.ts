// The classic two-layer network, trained from scratch on XOR-like data: inputs [[0,0,1],[0,1,1],
// [1,0,1],[1,1,1]], targets [0,1,1,0], a hidden layer of 4 sigmoid units, a sigmoid output,
// sum-of-squares loss, plain gradient descent with learning rate 1 for 1500 iterations, a fixed
// seed. The loss and its gradient with respect to the outputs come from POST /loss
// (mse, reduction sum); the example back-propagates through the layers itself.
//   npm run example -- train-two-layer
import { loss, SERVICE } from './lossClient.ts';
import { rng } from '../load/support/random.ts';

const X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]];
const y = [0, 1, 1, 0];
const HIDDEN = 4;
const LEARNING_RATE = 1;
const ITERATIONS = 1500;

// Seeded uniform weights in [-1, 1) (the project's mulberry32, seed 1).
const seeded = rng(1);
const random = () => seeded.uniform();
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
let W0 = X[0].map(() => Array.from({ length: HIDDEN }, () => 2 * random() - 1)); // 3 x 4
let W1 = Array.from({ length: HIDDEN }, () => 2 * random() - 1); // 4 x 1

console.log(`training against ${SERVICE}: 3-${HIDDEN}-1 sigmoid network, sum-of-squares loss, lr ${LEARNING_RATE}, ${ITERATIONS} iterations`);
let output: number[] = [];
for (let it = 0; it <= ITERATIONS; it++) {
  // Forward.
  const hidden = X.map((x) => W0[0].map((_, j) => sigmoid(x.reduce((s, xi, i) => s + xi * W0[i][j], 0))));
  output = hidden.map((h) => sigmoid(h.reduce((s, hj, j) => s + hj * W1[j], 0)));
  // The loss and dL/d(output) from the service.
  const { value, gradient } = await loss({ loss: 'mse', predictions: output, targets: y, reduction: 'sum' });
  if (it % 100 === 0) console.log(`iteration ${String(it).padStart(4)}: loss ${value.toFixed(6)}`);
  if (it === ITERATIONS) break;
  // Backward through the sigmoids: dL/dz = dL/da · a(1 - a).
  const dOut = gradient.map((g, n) => g * output[n] * (1 - output[n]));
  const dW1 = W1.map((_, j) => hidden.reduce((s, h, n) => s + h[j] * dOut[n], 0));
  const dHidden = hidden.map((h, n) => h.map((hj, j) => dOut[n] * W1[j] * hj * (1 - hj)));
  const dW0 = W0.map((row, i) => row.map((_, j) => X.reduce((s, x, n) => s + x[i] * dHidden[n][j], 0)));
  W1 = W1.map((w, j) => w - LEARNING_RATE * dW1[j]);
  W0 = W0.map((row, i) => row.map((w, j) => w - LEARNING_RATE * dW0[i][j]));
}
console.log(`final predictions: [${output.map((o) => o.toFixed(4)).join(', ')}] for targets [${y.join(', ')}]`);
