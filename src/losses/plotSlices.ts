// The slices the loss pictures use: the residual x − y for regression losses, the margin y·f for
// margin losses, the predicted probability for probability losses.
import type { PlotSlice } from './types.ts';

/** Prediction y + d against target y. */
export const residual = (range: [number, number] = [-3, 3], target = 0): PlotSlice => ({
  axis: 'residual',
  label: target === 0 ? 'residual d = x − y' : `residual d = x − y (target y = ${target})`,
  range,
  at: (d) => ({ predictions: [target + d], targets: [target], dPredictions: [1] }),
});

/** Score f with target y = `positive` (1, or 1 for {0, 1} losses): the margin y·f is f. */
export const margin = (range: [number, number] = [-2, 2]): PlotSlice => ({
  axis: 'margin',
  label: 'margin m = y·f (target y = 1)',
  range,
  at: (m) => ({ predictions: [m], targets: [1], dPredictions: [1] }),
});

/** Two classes, scores [m, 0], true class 0: the margin is the true score minus the other. The
 *  target as a class index, one-hot, or a multi-label list ended by −1. */
export const twoClassMargin = (targets: 'index' | 'one-hot' | 'list'): PlotSlice => ({
  axis: 'margin',
  label: 'margin m = f_true − f_other (two classes)',
  range: [-2, 2],
  at: (m) => ({ predictions: [[m, 0]], targets: { index: [0], 'one-hot': [[1, 0]], list: [[0, -1]] }[targets], dPredictions: [1, 0] }),
});

/** A predicted label round(x) against the true label 0 (scikit-learn's label metrics): a step. */
export const predictedLabel: PlotSlice = {
  axis: 'prediction',
  label: 'predicted label ŷ = round(x) (true label 0)',
  range: [-2, 2],
  at: (x) => ({ predictions: [Math.round(x) + 0], targets: [0], dPredictions: [0] }),
};

/** Predicted probability p of the true class. */
export const probability = (label: string, at: PlotSlice['at']): PlotSlice => ({ axis: 'probability', label, range: [0.01, 0.99], at });
