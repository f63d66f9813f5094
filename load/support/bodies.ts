// Request bodies for the benchmarks, built once per run.
import { rng } from './random.ts';
import { inferRequest, type V2Datatype } from './v2client.ts';

/** Seeded FP32 logits [n, c] and class indices [n]. */
export function classificationData(n: number, c: number, seed = 1) {
  const r = rng(seed);
  const logits = new Float32Array(n * c);
  for (let i = 0; i < logits.length; i++) logits[i] = r.normal() * 2;
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) labels[i] = BigInt(r.int(c));
  return { logits, labels };
}

/** A binary v2 infer body: JSON header then the tensors, all outputs binary. */
export function v2BinaryBody(
  inputs: { name: string; shape: number[]; datatype: V2Datatype; data: ArrayBufferView }[],
  parameters: Record<string, unknown> = {},
  outputs?: string[],
): { body: Buffer; headers: Record<string, string> } {
  const { payload, headers } = inferRequest(
    inputs.map((t) => ({ ...t, binary: true })),
    { parameters: { binary_data_output: true, ...parameters }, ...(outputs ? { outputs: outputs.map((name) => ({ name })) } : {}) },
  );
  return { body: payload, headers };
}

/** The same cross_entropy request as JSON for POST /loss (nested rows). */
export function lossJsonBody(logits: Float32Array, labels: BigInt64Array, c: number): string {
  const n = labels.length;
  const rows = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(logits.subarray(i * c, (i + 1) * c));
  return JSON.stringify({ loss: 'cross_entropy', predictions: rows, targets: Array.from(labels, Number), include: ['gradient'] });
}

/** P1's small request: cross_entropy [32, 10] (six decimals a logit) with per_sample and gradient. */
export function smallLossBody(): string {
  const r = rng(11);
  return JSON.stringify({
    loss: 'cross_entropy',
    predictions: Array.from({ length: 32 }, () => Array.from({ length: 10 }, () => Number(r.normal().toFixed(6)))),
    targets: Array.from({ length: 32 }, () => r.int(10)),
    include: ['per_sample', 'gradient'],
  });
}
