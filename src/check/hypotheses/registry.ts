// Every hypothesis module in this folder, found on disk (as the losses are): adding a hypothesis
// is adding its file, listing it in the losses it applies to, and its tests.
import { readdirSync } from 'node:fs';
import type { Hypothesis } from './hypothesis.ts';

const isHypothesis = (v: unknown): v is Hypothesis => typeof v === 'object' && v !== null && typeof (v as Hypothesis).id === 'string' && typeof (v as Hypothesis).variants === 'function';

async function discover(): Promise<Hypothesis[]> {
  const folder = new URL('./', import.meta.url);
  const found: Hypothesis[] = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts') && f !== 'registry.ts' && f !== 'hypothesis.ts').sort()) {
    const module: Record<string, unknown> = await import(new URL(file, folder).href);
    found.push(...Object.values(module).filter(isHypothesis));
  }
  return found;
}

export const hypotheses: readonly Hypothesis[] = await discover();

const byId = new Map(hypotheses.map((h) => [h.id, h]));
export const findHypothesis = (id: string) => byId.get(id);
