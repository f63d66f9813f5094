// POST /check's search (shared/spec check.md): which reference, as it is or with one or two
// hypotheses, reproduces the user's outputs on the user's inputs. Every candidate is computed by
// the kernels (outputs.ts, hypotheses/); nothing is inferred from a ratio.
//   tier 0: the named loss (the request's params and reduction), then each related loss of the
//           other conventions under its default reduction: a "match";
//   tier 1: one hypothesis on any of those;
//   tier 1.5: the related losses under their other reductions (a "match" with another reduction);
//   tier 2: two hypotheses (an input one and an output one, or two output ones), for requests of
//           at most PAIR_ELEMENTS elements.
// The first tier with an agreeing candidate answers; the others that agree there are the
// explanations the inputs cannot tell apart.
import { findLoss } from '../losses/registry.ts';
import { tensorInputs, type LossDefinition, type Reduction } from '../losses/types.ts';
import { reductionsOf } from '../validation/prepareLossTask.ts';
import { agreement, compareAll, type Comparison, type Named, type Tolerance, type Verdict } from './compare.ts';
import { runLoss, type Compute, type Inputs, type Outputs } from './outputs.ts';
import { hypotheses } from './hypotheses/registry.ts';
import { memo, type CheckContext, type Hypothesis, type Reference, type Runner } from './hypotheses/hypothesis.ts';

/** Pairs of hypotheses are tried up to this many elements in the first input. */
export const PAIR_ELEMENTS = 20_000;

export interface Applied {
  id: string;
  params?: Record<string, unknown>;
}

interface Candidate {
  ref: Reference;
  applied: Applied[];
  hyps: Hypothesis[];
  outputs: Outputs;
  result: Verdict;
  tier: number;
}

export interface CheckRequest {
  def: LossDefinition;
  params: Record<string, unknown>;
  reduction: Reduction;
  inputs: Inputs;
  yours: Named;
  yoursOutputs: Outputs;
  tolerance: Tolerance;
}

const describeRef = (r: Reference) => ({ loss: r.def.name, params: r.params, reduction: r.reduction });

function references(req: CheckRequest): { ref: Reference; tier: number }[] {
  const out: { ref: Reference; tier: number }[] = [{ ref: { def: req.def, params: req.params, reduction: req.reduction }, tier: 0 }];
  for (const related of req.def.check?.related ?? []) {
    const def = findLoss(related.loss);
    if (def === undefined) continue;
    const params = { ...(related.params ?? {}) };
    const reductions: Reduction[] = reductionsOf(def).filter((r) => r !== 'none');
    const first = reductions.includes(req.reduction) ? req.reduction : reductions[0];
    out.push({ ref: { def, params, reduction: first }, tier: 0 });
    for (const r of reductions) if (r !== first) out.push({ ref: { def, params, reduction: r }, tier: 1.5 });
  }
  return out;
}

/** The hypotheses tried on a loss: the universal ones and those it lists. */
export function hypothesesFor(def: LossDefinition): Hypothesis[] {
  const listed = new Set(def.check?.hypotheses ?? []);
  return hypotheses.filter((h) => h.universal || listed.has(h.id));
}

export interface CheckAnswer {
  verdict: 'match' | 'explained' | 'unexplained';
  reference: ReturnType<typeof describeRef>;
  explanation: (Applied & { says: string })[];
  also_explained_by: { reference: ReturnType<typeof describeRef>; explanation: (Applied & { says: string })[]; tells_apart?: string }[];
  outputs: Record<string, Comparison>;
  plain_reference: { loss: string; params: Record<string, unknown>; reduction: Reduction; outputs: Record<string, Comparison> };
  candidates: { loss: string; reduction: Reduction; hypotheses: string[]; agrees: Record<string, boolean>; max_rel_err: number | null }[];
}

export function checkLoss(req: CheckRequest, compute: Compute): CheckAnswer {
  const gradientNames = (def: LossDefinition) => tensorInputs(def).filter((i) => i.differentiable).map((i) => i.name);
  const elements = Object.values(req.inputs)[0]?.data.length ?? 0;
  const all: Candidate[] = [];
  const consider = (ref: Reference, applied: Applied[], hyps: Hypothesis[], runner: Runner, tier: number) => {
    const outputs = runner(ref.reduction);
    if (outputs === null) return;
    all.push({ ref, applied, hyps, outputs, result: agreement(req.yours, outputs, gradientNames(ref.def), req.tolerance), tier });
  };

  const refs = references(req).map(({ ref, tier }) => {
    const ctx: CheckContext = {
      ref,
      inputs: req.inputs,
      compute,
      yours: req.yoursOutputs,
      run: (inputs, params = ref.params, reduction = ref.reduction) => runLoss(ref.def, params, reduction, inputs, compute),
    };
    return { ref, tier, ctx, base: memo((r) => runLoss(ref.def, ref.params, r, req.inputs, compute)) };
  });
  // Tier 0 and the other reductions of the related losses: the references as they are.
  for (const { ref, tier, base } of refs) consider(ref, [], [], base, tier);
  const agreeing = (tier: number) => all.filter((c) => c.tier === tier && c.result.agrees);

  if (agreeing(0).length === 0) {
    // Tier 1: one hypothesis on the tier-0 references.
    const inputVariants: { ref: Reference; ctx: CheckContext; h: Hypothesis; params?: Record<string, unknown>; runner: Runner }[] = [];
    const outputVariants: typeof inputVariants = [];
    for (const { ref, tier, ctx, base } of refs) {
      if (tier !== 0) continue;
      for (const h of hypothesesFor(ref.def)) {
        for (const v of h.variants(ctx, base)) {
          consider(ref, [{ id: h.id, ...(v.params ? { params: v.params } : {}) }], [h], v.runner, 1);
          (h.stage === 'input' ? inputVariants : outputVariants).push({ ref, ctx, h, params: v.params, runner: v.runner });
        }
      }
    }
    // Tier 2: pairs, for small requests.
    if (agreeing(1).length === 0 && agreeing(1.5).length === 0 && elements <= PAIR_ELEMENTS) {
      for (const first of [...inputVariants, ...outputVariants]) {
        for (const h of hypothesesFor(first.ref.def)) {
          if (h.stage !== 'output' || h.id === first.h.id) continue;
          for (const v of h.variants(first.ctx, first.runner)) {
            const applied = [
              { id: first.h.id, ...(first.params ? { params: first.params } : {}) },
              { id: h.id, ...(v.params ? { params: v.params } : {}) },
            ];
            consider(first.ref, applied, [first.h, h], v.runner, 2);
          }
        }
      }
    }
  }

  const winners = [0, 1, 1.5, 2].map(agreeing).find((list) => list.length > 0) ?? [];
  const closest = [...all].sort((a, b) => a.result.worst - b.result.worst);
  const chosen = winners[0] ?? closest[0];
  const explain = (c: Candidate) => c.applied.map((a, i) => ({ ...a, says: c.hyps[i].says(a.params ?? {}, c.ref) }));
  const plain = all[0];
  return {
    verdict: winners.length === 0 ? 'unexplained' : chosen.applied.length === 0 ? 'match' : 'explained',
    reference: describeRef(chosen.ref),
    explanation: explain(chosen),
    also_explained_by: winners.slice(1, 6).map((c) => {
      const hint = c.hyps.find((h) => h.tellsApart !== undefined)?.tellsApart ?? chosen.hyps.find((h) => h.tellsApart !== undefined)?.tellsApart;
      return { reference: describeRef(c.ref), explanation: explain(c), ...(hint ? { tells_apart: hint } : {}) };
    }),
    outputs: compareAll(req.yours, chosen.outputs, gradientNames(chosen.ref.def), req.tolerance, req.inputs),
    plain_reference: { ...describeRef(plain.ref), outputs: compareAll(req.yours, plain.outputs, gradientNames(plain.ref.def), req.tolerance, req.inputs) },
    // The next best, one per reference, reduction and set of hypotheses (their best parameters).
    candidates: closest
      .filter((c) => c !== chosen && !winners.includes(c))
      .filter((c, i, list) => list.findIndex((d) => d.ref.def === c.ref.def && d.ref.reduction === c.ref.reduction && d.applied.map((a) => a.id).join() === c.applied.map((a) => a.id).join()) === i)
      .slice(0, 5)
      .map((c) => ({
        loss: c.ref.def.name,
        reduction: c.ref.reduction,
        hypotheses: c.applied.map((a) => a.id),
        agrees: c.result.each,
        max_rel_err: Number.isFinite(c.result.worst) ? c.result.worst : null,
      })),
  };
}
