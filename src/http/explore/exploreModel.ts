// What /explore's page knows of each loss, from the registry: where it sits in the index, its
// text, its axis, a control per parameter and its counterpart in the other library.
import { losses } from '../../losses/registry.ts';
import { paramProperties, type ParamProperty } from '../../losses/describeParams.ts';
import type { LossDefinition } from '../../losses/types.ts';
import { libraryNameForms } from '../../losses/names.ts';

export type Control =
  | { name: string; kind: 'number'; default: number | null; min: number | null; max: number | null; slider: [number, number, number] | null; integer: boolean; description: string }
  | { name: string; kind: 'boolean'; default: boolean; description: string }
  | { name: string; kind: 'choice'; default: string; options: string[]; description: string }
  | { name: string; kind: 'fixed'; description: string };

export interface ExploreLoss {
  name: string;
  family: string;
  library: 'PyTorch' | 'Keras' | 'scikit-learn' | 'classic';
  aliases: string[];
  summary: string;
  formula: string;
  xLabel: string;
  controls: Control[];
  /** The other library's version of this loss, drawn over it: only where both slices share the
   *  axis label (then x means the same thing), with the parameters that make it the same. */
  counterpart: { loss: string; params: Record<string, unknown> } | null;
}

const SAFE = 2 ** 52; // an integer schema's ±MAX_SAFE_INTEGER bounds say nothing

function libraryOf(def: LossDefinition): ExploreLoss['library'] {
  if (def.name.startsWith('keras.')) return 'Keras';
  if (def.family === 'sklearn') return 'scikit-learn';
  return def.docs.reference?.startsWith('torch') ? 'PyTorch' : 'classic';
}

/** Every type a property admits, through nested anyOf. */
const typesOf = (p: ParamProperty): string[] => [...(Array.isArray(p.type) ? p.type : p.type ? [p.type] : []), ...(p.anyOf ?? []).flatMap(typesOf)];

/** A slider where a range is sensible: the schema's bounds, else a span around the default. A
 *  tiny default (an ε of 1e-6) and integers (an axis, a class) get a number field only: a linear
 *  slider cannot reach the one, and the other is no quantity. No default (a weight, an optional
 *  class) leaves the field empty: the loss's own default until the user sets one. */
function numberControl(name: string, p: ParamProperty, integer: boolean): Control {
  const bound = (v: unknown) => (typeof v === 'number' && Math.abs(v) < SAFE ? v : null);
  const min = bound(p.minimum) ?? bound(p.exclusiveMinimum);
  const max = bound(p.maximum) ?? bound(p.exclusiveMaximum);
  const d = typeof p.default === 'number' ? p.default : null;
  let slider: [number, number, number] | null = null;
  const around = d ?? 1;
  if (!integer && (around === 0 || Math.abs(around) >= 1e-3)) {
    const lo = min ?? (around < 0 ? 2 * around : 0);
    const hi = max ?? (around > 0 ? Math.max(4 * around, 1) : 2);
    const step = (hi - lo) / 200;
    // An exclusive bound is not a value: the slider starts one step inside it.
    slider = [p.exclusiveMinimum === lo ? lo + step : lo, p.exclusiveMaximum === hi ? hi - step : hi, step];
  }
  return { name, kind: 'number', default: d, min, max, slider, integer, description: String(p.description ?? '') };
}

function controlsOf(def: LossDefinition): Control[] {
  return Object.entries(paramProperties(def)).map(([name, p]): Control => {
    const description = String(p.description ?? '');
    const types = typesOf(p);
    if (Array.isArray(p.enum)) return { name, kind: 'choice', default: String(p.default ?? p.enum[0]), options: p.enum.map(String), description };
    if (types.includes('boolean')) return { name, kind: 'boolean', default: p.default === true, description };
    if (types.includes('number')) return numberControl(name, p, false);
    if (types.includes('integer')) return numberControl(name, p, true);
    return { name, kind: 'fixed', description };
  });
}

function counterpartOf(def: LossDefinition): ExploreLoss['counterpart'] {
  for (const related of def.check?.related ?? []) {
    const other = losses.find((d) => d.name === related.loss);
    if (other === undefined || libraryOf(other) === libraryOf(def)) continue;
    if (other.demo.plot.label !== def.demo.plot.label) continue;
    return { loss: other.name, params: { ...(related.params ?? {}) } };
  }
  return null;
}

export const exploreModel: ExploreLoss[] = losses.map((def) => ({
  name: def.name,
  family: def.family,
  library: libraryOf(def),
  aliases: [...def.aliases, ...libraryNameForms(def.libraryNames)],
  summary: def.docs.summary,
  formula: def.docs.formula,
  xLabel: def.demo.plot.label,
  controls: controlsOf(def),
  counterpart: counterpartOf(def),
}));
