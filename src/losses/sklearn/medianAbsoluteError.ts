import { z } from 'zod';
import { residual } from '../plotSlices.ts';
import { multioutputParam, regressionMetric } from './regressionMetric.ts';
import { regressionSample } from './regressionSamples.ts';
import { away } from '../samples.ts';
import { median, weightedPercentile } from './statistics.ts';

// Each output's median of |ŷ − y| (np.median; with sample_weight, _weighted_percentile at 50).
// Its gradient is sign(ŷ_k − y_k) at the element(s) the median takes (½ each for an even count).
export const sklearnMedianAbsoluteError = regressionMetric({
  function: 'median_absolute_error',
  summary: "scikit-learn's median absolute error, per output and combined as multioutput says; robust to outliers.",
  formula: 'score = median(|y − ŷ|) per output (the weighted median with sample_weight)',
  params: z.strictObject({ multioutput: multioutputParam(['raw_values', 'uniform_average']) }),
  reductionRule: "scikit-learn's: each output's median of |y − ŷ| (with sample_weight, the weighted 50th percentile: the element where the cumulative weight reaches half), then the outputs' scores combined as multioutput says.",
  noTerms: 'it is a median of |y − ŷ|, not a mean of per-sample terms',
  outputs: ({ n, outputs, y, p, w }, _params, want) => {
    const scores = new Float64Array(outputs);
    const gradients: Float64Array[] = [];
    for (let o = 0; o < outputs; o++) {
      const err = Float64Array.from({ length: n }, (_, i) => Math.abs(p[o][i] - y[o][i]));
      const at: [number, number][] = [];
      if (w === null) {
        const m = median(err);
        scores[o] = m.value;
        at.push(...m.at);
      } else {
        const m = weightedPercentile(err, w);
        scores[o] = m.value;
        at.push([m.at, 1]);
      }
      if (want.gradient) {
        const g = new Float64Array(n);
        for (const [i, share] of at) g[i] += share * Math.sign(p[o][i] - y[o][i]);
        gradients.push(g);
      }
    }
    return { scores, gradients };
  },
  demo: {
    plot: residual(),
    // Distinct errors, so that the median is one element and moves smoothly with it.
    sample: (r) => regressionSample(r, () => r.normal() * 2, (x) => x + away(r, 0.1, 2)),
    example: { predictions: [2.5, 0.0, 2, 8], targets: [3, -0.5, 2, 7] },
  },
});
