// A hypothesis: one named way in which a user's loss code departs from a reference (a clip, a sum
// where a mean was meant, a ½, ...), as variants computed on the user's inputs. One file each in
// this folder, found by registry.ts; a loss module says which apply to it (LossDefinition.check)
// beyond the universal ones.
import type { LossDefinition, Reduction } from '../../losses/types.ts';
import type { Compute, Inputs, Outputs } from '../outputs.ts';

/** A reference: a loss with its parameters and reduction, as the service computes it. */
export interface Reference {
  def: LossDefinition;
  params: Record<string, unknown>;
  reduction: Reduction;
}

/** The outputs of a reference (or of a variant of it) when reduced by `reduction`, memoized. */
export type Runner = (reduction: Reduction) => Outputs | null;

export interface CheckContext {
  ref: Reference;
  inputs: Inputs;
  compute: Compute;
  /** The user's outputs (a hypothesis may fit a parameter to them, as the clip's ε). */
  yours?: Outputs;
  /** The reference on other inputs or parameters (for hypotheses that change them). */
  run(inputs: Inputs, params?: Record<string, unknown>, reduction?: Reduction): Outputs | null;
}

export interface Variant {
  params?: Record<string, unknown>;
  runner: Runner;
}

export interface Hypothesis {
  id: string;
  /** Tried for every reference; else only for the losses that list it (LossDefinition.check). */
  universal: boolean;
  /** 'input': the reference computed on other inputs or by another formula; 'output': its
   *  outputs reduced or scaled otherwise. A pair is an input variant with an output one, or two
   *  output ones. */
  stage: 'input' | 'output';
  /** The variants to try: for an output hypothesis, of `base` (the reference, or an input variant
   *  of it); none where it does not apply. */
  variants(ctx: CheckContext, base: Runner): Variant[];
  /** One sentence a user understands: what their code does, and what the reference does. */
  says(params: Record<string, unknown>, ref: Reference): string;
  /** An input that would tell this hypothesis apart from others that agree on the inputs sent. */
  tellsApart?: string;
}

export const defineHypothesis = (h: Hypothesis): Hypothesis => h;

/** A runner that computes each reduction once. */
export function memo(run: Runner): Runner {
  const cache = new Map<Reduction, Outputs | null>();
  return (r) => {
    if (!cache.has(r)) cache.set(r, run(r));
    return cache.get(r)!;
  };
}
