import { noParams } from '../params.ts';
import { twoClassMargin } from '../plotSlices.ts';
import { categoricalHinge } from '../multiclass/categoricalHinge.ts';
import { kerasLoss } from './kerasLoss.ts';

// pos = Σ_c y_c·x_c, neg = max_c (1 − y_c)·x_c (the true class contributes a 0 there, unlike the
// Part 1 loss of this name), ℓ = max(neg − pos + 1, 0);
// where ℓ > 0: dℓ/dx_c = (1 − y_c)·[c = argmax] − y_c.
export const kerasCategoricalHinge = kerasLoss({
  name: 'categorical_hinge',
  className: 'CategoricalHinge',
  summary: "Keras's categorical hinge: the true class's score should beat the best other by 1 (Keras's max over (1 − y)·x).",
  formula: 'ℓ = max(max_c (1 − y_c)·x_c − Σ_c y_c·x_c + 1, 0)',
  predictions: 'scores, any rank ≥ 1; the last axis holds the classes',
  targets: 'one-hot (or soft) labels, broadcastable to predictions',
  targetRule: 'broadcast',
  params: noParams,
  row(x, x0, t, t0, D, _p, g, scale) {
    let pos = 0;
    let neg = Number.NEGATIVE_INFINITY;
    let at = 0;
    for (let c = 0; c < D; c++) {
      pos += t[t0 + c] * x[x0 + c];
      const v = (1 - t[t0 + c]) * x[x0 + c];
      if (v > neg) {
        neg = v;
        at = c;
      }
    }
    const l = neg - pos + 1;
    if (g !== null) for (let c = 0; c < D; c++) g[x0 + c] = l > 0 ? ((c === at ? 1 - t[t0 + c] : 0) - t[t0 + c]) * scale : 0;
    return Math.max(l, 0);
  },
  plot: twoClassMargin('one-hot'),
  // The spec's loss's sample: distinct scores on a grid (no ties for the largest), one-hot targets.
  sample: categoricalHinge.demo.sample,
  example: { inputs: { predictions: [[0.8, -0.4, 0.1], [1.5, 0.2, -0.3]], targets: [[1, 0, 0], [0, 1, 0]] } },
});
