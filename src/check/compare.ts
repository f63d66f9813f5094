// The user's outputs against a candidate's, output by output: the largest absolute and relative
// errors, the largest distance in units in the last place, whether every element agrees within
// the tolerance (|a − b| ≤ atol + rtol·|b|), the element where they differ most with the inputs
// there, and where the user's numbers first stop being finite.
import type { Inputs, Outputs, Tensor } from './outputs.ts';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface ElementAt {
  /** Flat row-major index, and the same as an index per dimension. */
  index: number;
  at: number[];
}

export interface Comparison {
  yours?: number | null;
  reference?: number | null;
  max_abs_err: number;
  max_rel_err: number;
  max_ulps: number;
  agrees: boolean;
  first_difference?: ElementAt & { yours: number | null; reference: number | null; inputs: Record<string, number | number[]> };
  first_not_finite?: ElementAt & { yours: string };
}

/** The user's outputs by the names the answer gives them: value, per_sample, gradient (or
 *  gradients.<input> for several differentiable inputs). */
export type Named = Map<string, Tensor | number>;

/** A float64's position on the number line of doubles (adjacent doubles differ by 1). */
function ordinal(x: number): bigint {
  const bits = new BigInt64Array(new Float64Array([x]).buffer)[0];
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

function ulps(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Object.is(a, b) ? 0 : Number.POSITIVE_INFINITY;
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

const json = (v: number): number | null => (Number.isFinite(v) ? v : null);
const text = (v: number) => (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');

/** Flat index → index per dimension. */
export function unflatten(index: number, shape: readonly number[]): number[] {
  const at = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    at[d] = index % shape[d];
    index = Math.floor(index / shape[d]);
  }
  return at;
}

/** The inputs at an element of an output: each input of the output's size (elementwise) at that
 *  index; each input holding a row per element (class scores) as that row. */
function inputsAt(inputs: Inputs, count: number, index: number): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [name, t] of Object.entries(inputs)) {
    if (t.data.length === count) out[name] = t.data[index];
    else if (count > 0 && t.data.length % count === 0 && t.data.length / count <= 32) {
      const width = t.data.length / count;
      out[name] = Array.from(t.data.subarray(index * width, (index + 1) * width));
    }
  }
  return out;
}

export function compare(mine: Tensor | number, theirs: Tensor | number | undefined, tolerance: Tolerance, inputs: Inputs): Comparison {
  const a = typeof mine === 'number' ? { data: Float64Array.of(mine), shape: [] } : mine;
  if (theirs === undefined) return { max_abs_err: Number.NaN, max_rel_err: Number.NaN, max_ulps: Number.NaN, agrees: false };
  const b = typeof theirs === 'number' ? { data: Float64Array.of(theirs), shape: [] } : theirs;
  const scalar = typeof mine === 'number';
  const head = scalar ? { yours: json(a.data[0]), reference: json(b.data[0]) } : {};
  if (a.data.length !== b.data.length) return { ...head, max_abs_err: Number.NaN, max_rel_err: Number.NaN, max_ulps: Number.NaN, agrees: false };
  let maxAbs = 0;
  let maxRel = 0;
  let maxUlps = 0;
  let agrees = true;
  let worst = -1;
  let worstScore = -1;
  let firstBad = -1;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i];
    const y = b.data[i];
    if (!Number.isFinite(x) && firstBad < 0) firstBad = i;
    const same = Object.is(x, y);
    const abs = same ? 0 : Math.abs(x - y);
    const rel = same ? 0 : abs / Math.abs(y);
    const score = same ? 0 : Number.isNaN(abs) ? Number.POSITIVE_INFINITY : abs / (tolerance.atol + tolerance.rtol * Math.abs(y));
    if (!(score <= 1)) agrees = false;
    if (score > worstScore) {
      worstScore = score;
      worst = i;
    }
    if (!(abs <= maxAbs)) maxAbs = abs;
    if (!(rel <= maxRel)) maxRel = rel;
    maxUlps = Math.max(maxUlps, ulps(x, y));
  }
  const out: Comparison = { ...head, max_abs_err: maxAbs, max_rel_err: maxRel, max_ulps: maxUlps, agrees };
  if (!agrees && !scalar && worst >= 0) {
    out.first_difference = { index: worst, at: unflatten(worst, a.shape), yours: json(a.data[worst]), reference: json(b.data[worst]), inputs: inputsAt(inputs, a.data.length, worst) };
  }
  if (firstBad >= 0) out.first_not_finite = { index: firstBad, at: unflatten(firstBad, a.shape), yours: text(a.data[firstBad]) };
  return out;
}

/** A candidate's outputs under the answer's names. */
export function named(o: Outputs, gradientNames: readonly string[]): Map<string, Tensor | number | undefined> {
  const m = new Map<string, Tensor | number | undefined>();
  m.set('value', o.value);
  m.set('per_sample', o.perSample);
  if (gradientNames.length === 1) m.set('gradient', o.gradients?.[gradientNames[0]]);
  else for (const n of gradientNames) m.set(`gradients.${n}`, o.gradients?.[n]);
  return m;
}

/** Whether two outputs agree and their largest relative error, without the rest of compare():
 *  the search runs this over every candidate (units in the last place and the worst element are
 *  worked out for the answer's candidates only). */
function quick(mine: Tensor | number, theirs: Tensor | number | undefined, tolerance: Tolerance): { agrees: boolean; maxRel: number } {
  if (theirs === undefined) return { agrees: false, maxRel: Number.POSITIVE_INFINITY };
  const a = typeof mine === 'number' ? [mine] : mine.data;
  const b = typeof theirs === 'number' ? [theirs] : theirs.data;
  if (a.length !== b.length) return { agrees: false, maxRel: Number.POSITIVE_INFINITY };
  let agrees = true;
  let maxRel = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Object.is(x, y)) continue;
    const abs = Math.abs(x - y);
    if (!(abs <= tolerance.atol + tolerance.rtol * Math.abs(y))) agrees = false;
    const rel = abs / Math.abs(y);
    if (!(rel <= maxRel)) maxRel = Number.isNaN(rel) ? Number.POSITIVE_INFINITY : rel;
  }
  return { agrees, maxRel };
}

export interface Verdict {
  agrees: boolean;
  /** The largest relative error over the outputs sent (how close the candidate came). */
  worst: number;
  /** Whether each output agrees. */
  each: Record<string, boolean>;
}

/** Every output the user sent against the candidate's, quickly: `agrees` when all do. */
export function agreement(yours: Named, theirs: Outputs, gradientNames: readonly string[], tolerance: Tolerance): Verdict {
  const candidate = named(theirs, gradientNames);
  const each: Record<string, boolean> = {};
  let agrees = true;
  let worst = 0;
  for (const [name, mine] of yours) {
    const q = quick(mine, candidate.get(name), tolerance);
    each[name] = q.agrees;
    if (!q.agrees) agrees = false;
    worst = Math.max(worst, q.maxRel);
  }
  return { agrees, worst, each };
}

/** Every output the user sent against the candidate's, in full (for the answer). */
export function compareAll(yours: Named, theirs: Outputs, gradientNames: readonly string[], tolerance: Tolerance, inputs: Inputs): Record<string, Comparison> {
  const candidate = named(theirs, gradientNames);
  const outputs: Record<string, Comparison> = {};
  for (const [name, mine] of yours) outputs[name] = compare(mine, candidate.get(name), tolerance, inputs);
  return outputs;
}
