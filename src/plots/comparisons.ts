// Pictures that put several losses (or one loss at several parameters) on one axis, each series
// computed by the service's kernels along a slice of its own: GET /plots/{name}.svg.
import { findLoss } from '../losses/registry.ts';
import type { PlotSlice } from '../losses/types.ts';
import { lossCurve } from './lossCurve.ts';
import { renderLineChart } from './svgChart.ts';

interface Series {
  label: string;
  loss: string;
  params?: Record<string, unknown>;
  /** The slice, when not the loss's own. */
  at?: PlotSlice['at'];
}

export interface Comparison {
  title: string;
  caption: string;
  xLabel: string;
  range: [number, number];
  series: Series[];
}

/** log10 of a probability p on x: the chain rule's dp/dx = ln 10 · p. */
const probabilityExponent = (x: number) => 10 ** x;

export const comparisons: Record<string, Comparison> = {
  margin: {
    title: 'Margin losses: surrogates of the 0-1 loss',
    caption: 'The classic comparison: margin losses as upper bounds of the 0-1 loss.',
    xLabel: 'margin m = y·f (target y = 1)',
    range: [-2, 2],
    series: [
      { label: '0-1', loss: 'zero_one' },
      { label: 'hinge', loss: 'hinge' },
      { label: 'squared hinge', loss: 'squared_hinge' },
      { label: 'logistic', loss: 'logistic' },
      { label: 'exponential', loss: 'exponential' },
      // The square loss compares the score f = m with the target 1: (m − 1)².
      { label: 'square (1 − m)²', loss: 'mse', at: (m) => ({ predictions: [m], targets: [1], dPredictions: [1] }) },
    ],
  },
  'bce-near-0': {
    title: 'Binary cross-entropy near p = 0: PyTorch, Keras and scikit-learn',
    caption:
      'binary_cross_entropy (PyTorch) grows as −log p until its clamp at −100; keras.binary_crossentropy clips p to 1e-7 first, so it stops at −log 1e-7 ≈ 16.1 and its gradient is 0 below; sklearn.log_loss clips to float64\'s epsilon (eps="auto": 2.2e-16, float32\'s 1.2e-7 for FP32 inputs) and stops at 36.04.',
    xLabel: 'log10 of the predicted probability p (target 1)',
    range: [-18, 0],
    series: [
      { label: 'PyTorch binary_cross_entropy', loss: 'binary_cross_entropy', at: (x) => ({ predictions: [probabilityExponent(x)], targets: [1], dPredictions: [Math.LN10 * probabilityExponent(x)] }) },
      { label: 'keras.binary_crossentropy', loss: 'keras.binary_crossentropy', at: (x) => ({ predictions: [probabilityExponent(x)], targets: [1], dPredictions: [Math.LN10 * probabilityExponent(x)] }) },
      // Labels [1, 0] with probabilities [p, 1 − p]: both samples cost −log p, so the mean is it.
      { label: 'sklearn.log_loss', loss: 'sklearn.log_loss', at: (x) => ({ predictions: [probabilityExponent(x), 1 - probabilityExponent(x)], targets: [1, 0], dPredictions: [Math.LN10 * probabilityExponent(x), -Math.LN10 * probabilityExponent(x)] }) },
    ],
  },
  'bce-near-1': {
    title: 'Binary cross-entropy near p = 1: PyTorch, Keras and scikit-learn',
    caption: 'With target 0, a confident wrong p = 1 − 10^x: PyTorch follows −log(1 − p) to its clamp at 100, Keras stops at 16.1 (p clipped to 1 − 1e-7), scikit-learn where 1 − p rounds to float64\'s epsilon.',
    xLabel: 'log10 of 1 − p, p the predicted probability (target 0)',
    range: [-18, 0],
    series: [
      { label: 'PyTorch binary_cross_entropy', loss: 'binary_cross_entropy', at: (x) => ({ predictions: [1 - probabilityExponent(x)], targets: [0], dPredictions: [-Math.LN10 * probabilityExponent(x)] }) },
      { label: 'keras.binary_crossentropy', loss: 'keras.binary_crossentropy', at: (x) => ({ predictions: [1 - probabilityExponent(x)], targets: [0], dPredictions: [-Math.LN10 * probabilityExponent(x)] }) },
      { label: 'sklearn.log_loss', loss: 'sklearn.log_loss', at: (x) => ({ predictions: [1 - probabilityExponent(x), probabilityExponent(x)], targets: [0, 1], dPredictions: [-Math.LN10 * probabilityExponent(x), Math.LN10 * probabilityExponent(x)] }) },
    ],
  },
  'categorical-hinge': {
    title: 'Categorical hinge: the spec and Keras',
    caption:
      "categorical_hinge (Part 1) takes the best wrong class's score; keras.categorical_hinge takes max((1 − y)·x) over all classes, where the true class adds a 0: once every wrong score is below 0, Keras's stays at 1 − x_true.",
    xLabel: 'score x of the wrong class (the true class at 0, two classes)',
    range: [-3, 1.5],
    series: [
      { label: 'categorical_hinge', loss: 'categorical_hinge', at: (x) => ({ predictions: [[0, x]], targets: [[1, 0]], dPredictions: [0, 1] }) },
      { label: 'keras.categorical_hinge', loss: 'keras.categorical_hinge', at: (x) => ({ predictions: [[0, x]], targets: [[1, 0]], dPredictions: [0, 1] }) },
    ],
  },
  'gaussian-nll': {
    title: 'Gaussian negative log-likelihood at several variances',
    caption: 'gaussian_nll against the residual: a small variance is sharp and costly far away, a large one flat and costly near 0 (its log var term).',
    xLabel: 'residual d = x − y',
    range: [-3, 3],
    series: [0.25, 1, 4].map((v) => ({ label: `var = ${v}`, loss: 'gaussian_nll', at: (d: number) => ({ predictions: [d], targets: [0], dPredictions: [1], extra: { var: [v] } }) })),
  },
};

export function comparisonSvg(name: string, points = 201): string {
  const c = comparisons[name];
  return renderLineChart({
    title: c.title,
    xLabel: c.xLabel,
    yLabel: 'loss',
    series: c.series.map((s) => {
      const def = findLoss(s.loss)!;
      const curve = lossCurve(s.at ? { ...def, demo: { ...def.demo, plot: { ...def.demo.plot, at: s.at } } } : def, def.params.parse(s.params ?? {}), c.range[0], c.range[1], points);
      return { name: s.label, points: curve.loss };
    }),
  });
}
