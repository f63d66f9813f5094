// The loss catalog: every loss module, found by name or alias. The routes, the catalog endpoint,
// the OpenAPI document and the worker all read this one list.
import { readdirSync } from 'node:fs';
import type { LossDefinition } from './types.ts';

/** The family folders, in catalog order. */
const FAMILIES: readonly LossDefinition['family'][] = ['regression', 'binary', 'multiclass', 'keras'];

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

const byName = new Map<string, LossDefinition>();
for (const loss of losses) {
  for (const key of [loss.name, ...loss.aliases]) {
    if (byName.has(key)) throw new Error(`loss name ${key} is declared twice`);
    byName.set(key, loss);
  }
}

/** The loss called `name` (canonical name or alias), or undefined. */
export function findLoss(name: string): LossDefinition | undefined {
  return byName.get(name);
}

/** Every accepted name, canonical names first, for error messages and the schema's enum. */
export const lossNames: readonly string[] = [...losses.map((l) => l.name), ...losses.flatMap((l) => l.aliases)];
