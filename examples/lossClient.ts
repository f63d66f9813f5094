// The smallest client of POST /loss the examples need: send, get value and gradient back.
export const SERVICE = (process.env.LOSS_SERVICE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');

export interface LossAnswer {
  value: number;
  per_sample?: number[];
  gradient: number[];
}

export async function loss(body: { loss: string; predictions: number[]; targets: number[]; reduction?: string; params?: object }): Promise<LossAnswer> {
  const res = await fetch(`${SERVICE}/loss`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ include: ['gradient'], ...body }),
  });
  if (!res.ok) throw new Error(`POST /loss answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as LossAnswer;
}
