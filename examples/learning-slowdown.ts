// Why cross-entropy: the learning slowdown of the quadratic cost (Nielsen, "Neural Networks and
// Deep Learning", chapter 3). One sigmoid neuron a = σ(w·x + b), input x = 1, target y = 0,
// learning rate 0.15, 300 epochs of gradient descent on w and b, four runs: the quadratic cost
// C = (a − y)²/2 and the cross-entropy cost, each from (w, b) = (0.6, 0.9) and (2.0, 2.0).
// dC/da (quadratic: half of mse's gradient) or dC/dz (cross-entropy: bce_with_logits on the
// logit z) comes from POST /loss. Prints a every 50 epochs, writes an SVG of cost against epoch.
//   npm run example -- learning-slowdown
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderLineChart } from '../src/plots/svgChart.ts';
import { loss, SERVICE } from './lossClient.ts';

const x = 1;
const y = 0;
const LEARNING_RATE = 0.15;
const EPOCHS = 300;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

type Cost = 'quadratic' | 'cross-entropy';

/** The cost at the logit z, and dC/dz, from the service. */
async function costAndSlope(cost: Cost, z: number): Promise<{ cost: number; dz: number }> {
  const a = sigmoid(z);
  if (cost === 'quadratic') {
    // mse gives (a − y)² and its gradient 2(a − y); C = (a − y)²/2, so halve both, then dC/dz = dC/da · σ'(z).
    const { value, gradient } = await loss({ loss: 'mse', predictions: [a], targets: [y], reduction: 'sum' });
    return { cost: value / 2, dz: (gradient[0] / 2) * a * (1 - a) };
  }
  // Cross-entropy on the logit: bce_with_logits answers dC/dz = a − y directly.
  const { value, gradient } = await loss({ loss: 'bce_with_logits', predictions: [z], targets: [y], reduction: 'sum' });
  return { cost: value, dz: gradient[0] };
}

console.log(`one sigmoid neuron against ${SERVICE}: x = ${x}, y = ${y}, learning rate ${LEARNING_RATE}, ${EPOCHS} epochs`);
const runs: { label: string; curve: [number, number][]; a: number }[] = [];
for (const cost of ['quadratic', 'cross-entropy'] as const) {
  for (const [w0, b0] of [[0.6, 0.9], [2.0, 2.0]]) {
    let w = w0;
    let b = b0;
    const curve: [number, number][] = [];
    const outputs: string[] = [];
    for (let epoch = 0; epoch <= EPOCHS; epoch++) {
      const z = w * x + b;
      const { cost: c, dz } = await costAndSlope(cost, z);
      curve.push([epoch, c]);
      if (epoch % 50 === 0) outputs.push(`${epoch}: ${sigmoid(z).toFixed(4)}`);
      if (epoch === EPOCHS) break;
      w -= LEARNING_RATE * dz * x;
      b -= LEARNING_RATE * dz;
    }
    const label = `${cost} from (${w0.toFixed(1)}, ${b0.toFixed(1)})`;
    console.log(`${label}, output a by epoch: ${outputs.join(', ')}`);
    runs.push({ label, curve, a: sigmoid(w * x + b) });
  }
}

const svg = renderLineChart({
  title: 'Learning slowdown: quadratic vs cross-entropy cost',
  subtitle: 'one sigmoid neuron, x = 1, y = 0, learning rate 0.15',
  xLabel: 'epoch',
  yLabel: 'cost',
  series: runs.map((r, i) => ({ name: r.label, points: r.curve, dashed: i >= 2 })),
  width: 900,
});
const dir = new URL('../test-output/examples/', import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL('learning-slowdown.svg', dir);
writeFileSync(file, svg);
console.log(`wrote ${file.pathname}`);
for (const r of runs) console.log(`${r.label}: a = ${r.a.toFixed(4)} after ${EPOCHS} epochs`);
