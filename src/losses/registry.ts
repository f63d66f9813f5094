// The loss catalog: every loss module, found by name or alias. The routes, the catalog endpoint,
// the OpenAPI document and the worker all read this one list.
import { readdirSync } from 'node:fs';
import type { LossDefinition } from './types.ts';
import { closestNames, libraryNameForms } from './names.ts';

/** The family folders, in catalog order. */
const FAMILIES: readonly LossDefinition['family'][] = ['regression', 'binary', 'multiclass', 'keras', 'sklearn'];

const isLoss = (v: unknown): v is LossDefinition =>
  typeof v === 'object' && v !== null && typeof (v as LossDefinition).name === 'string' && typeof (v as LossDefinition).kernel === 'function';

/** Every loss module under its family's folder, found on disk: adding a loss is adding its file
 *  (and its golden cases), with no list to edit. In a family, by file name; a module may export
 *  helpers besides its loss, and two losses (the triplet pair shares one file's helpers). */
async function discover(): Promise<LossDefinition[]> {
  const found: LossDefinition[] = [];
  for (const family of FAMILIES) {
    const folder = new URL(`./${family}/`, import.meta.url);
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts')).sort()) {
      const module: Record<string, unknown> = await import(new URL(file, folder).href);
      for (const def of Object.values(module).filter(isLoss)) {
        if (def.family !== family) throw new Error(`${file} declares ${def.name} of family ${def.family} but lies in ${family}/`);
        if (!found.includes(def)) found.push(def);
      }
    }
  }
  return found;
}

export const losses: readonly LossDefinition[] = await discover();

/** The names a loss answers to besides its own and its aliases: its library's, in every form
 *  user code writes them (names.ts), less those it already has. */
export function libraryNamesOf(def: LossDefinition): string[] {
  const own = new Set([def.name, ...def.aliases]);
  return [...new Set(libraryNameForms(def.libraryNames))].filter((n) => !own.has(n));
}

const byName = new Map<string, LossDefinition>();
for (const loss of losses) {
  for (const key of [loss.name, ...loss.aliases, ...libraryNamesOf(loss)]) {
    if (byName.has(key)) throw new Error(`loss name ${key} is declared twice (${byName.get(key)!.name} and ${loss.name})`);
    byName.set(key, loss);
  }
}

/** The loss called `name` (canonical name, alias or library name), or undefined. */
export function findLoss(name: string): LossDefinition | undefined {
  return byName.get(name);
}

/** The 1–3 accepted names closest to a name that is not one (case-insensitive), one per loss. */
export function closestLossNames(name: string): string[] {
  return closestNames(name, byName);
}

/** Every accepted name: canonical names, aliases, library names. */
export const lossNames: readonly string[] = [...byName.keys()];
