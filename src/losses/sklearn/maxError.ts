import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { regressionMetric } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';
import { away } from '../samples.ts';

// max |y − ŷ| over the samples (one output); its gradient is sign(ŷ_k − y_k) at numpy's argmax
// (the first largest).
export const sklearnMaxError = regressionMetric({
  function: 'max_error',
  summary: "scikit-learn's max error: the largest absolute residual (one output, no sample weights).",
  formula: 'score = max |y − ŷ|',
  params: z.strictObject({}),
  reductionRule: "scikit-learn's: the maximum of |y − ŷ| over the samples.",
  noTerms: 'it is the maximum of |y − ŷ|, not a mean of per-sample terms',
  sampleWeight: false,
  rules: () => ({ singleOutput: true }),
  outputs: ({ n, y, p }, _params, want) => {
    let best = 0;
    for (let i = 1; i < n; i++) if (Math.abs(y[0][i] - p[0][i]) > Math.abs(y[0][best] - p[0][best])) best = i;
    const gradients = want.gradient ? [Float64Array.from({ length: n }, (_, i) => (i === best ? Math.sign(p[0][i] - y[0][i]) : 0))] : undefined;
    return { scores: Float64Array.of(Math.abs(y[0][best] - p[0][best])), gradients };
  },
  demo: {
    plot: residual(),
    sample: (r) => {
      const s = regressionSample(r, () => r.normal() * 2, (x) => x + away(r, 0.1, 1));
      // One output; residuals apart from each other, so that the maximum is one element.
      const x = s.inputs.predictions.data.slice(0, 6);
      return { inputs: { predictions: { data: x, shape: [6] }, targets: { data: x.map((v, i) => v + (i + 1) * 0.3 * r.sign()), shape: [6] } }, params: {} };
    },
    example: { predictions: [9, 2, 7, 1], targets: [3, 2, 7, 1] },
  },
});
