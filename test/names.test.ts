// PyTorch's and Keras's own names for the losses, on both routes; what a mistyped name is
// answered with; Keras's argument names; and what reduction none refuses.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { findLoss, lossNames, losses } from '../src/losses/registry.ts';
import { exampleInputs } from '../src/losses/types.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ workers: 1 });
  await app.lossPool.ready;
});
afterAll(() => app.close());

const post = (payload: unknown) => app.inject({ method: 'POST', url: '/loss', payload: payload as Record<string, unknown> });

// PyTorch 1.13's loss functions and classes (dir(torch.nn.functional), dir(torch.nn)), with the
// catalog loss each is; AdaptiveLogSoftmaxWithLoss is a layer with weights, not a loss function.
const TORCH: [string, string, string][] = [
  ['l1_loss', 'L1Loss', 'l1'],
  ['mse_loss', 'MSELoss', 'mse'],
  ['huber_loss', 'HuberLoss', 'huber'],
  ['smooth_l1_loss', 'SmoothL1Loss', 'smooth_l1'],
  ['poisson_nll_loss', 'PoissonNLLLoss', 'poisson_nll'],
  ['gaussian_nll_loss', 'GaussianNLLLoss', 'gaussian_nll'],
  ['binary_cross_entropy', 'BCELoss', 'binary_cross_entropy'],
  ['binary_cross_entropy_with_logits', 'BCEWithLogitsLoss', 'bce_with_logits'],
  ['soft_margin_loss', 'SoftMarginLoss', 'logistic'],
  ['hinge_embedding_loss', 'HingeEmbeddingLoss', 'hinge_embedding'],
  ['margin_ranking_loss', 'MarginRankingLoss', 'margin_ranking'],
  ['cosine_embedding_loss', 'CosineEmbeddingLoss', 'cosine_embedding'],
  ['cross_entropy', 'CrossEntropyLoss', 'cross_entropy'],
  ['nll_loss', 'NLLLoss', 'nll'],
  ['kl_div', 'KLDivLoss', 'kl_div'],
  ['multi_margin_loss', 'MultiMarginLoss', 'multi_margin'],
  ['multilabel_margin_loss', 'MultiLabelMarginLoss', 'multilabel_margin'],
  ['multilabel_soft_margin_loss', 'MultiLabelSoftMarginLoss', 'multilabel_soft_margin'],
  ['triplet_margin_loss', 'TripletMarginLoss', 'triplet_margin'],
  ['triplet_margin_with_distance_loss', 'TripletMarginWithDistanceLoss', 'triplet_margin_with_distance'],
  ['ctc_loss', 'CTCLoss', 'ctc'],
];

describe("PyTorch's and Keras's names", () => {
  test.each(TORCH)('%s and %s, bare and qualified, are %s', (functional, module, loss) => {
    for (const name of [functional, `torch.nn.functional.${functional}`, `F.${functional}`, `nn.functional.${functional}`, module, `torch.nn.${module}`, `nn.${module}`]) {
      expect(findLoss(name)?.name, name).toBe(loss);
    }
  });

  test("every keras.* loss by Keras's function and class, in keras.losses and tf.keras.losses", () => {
    for (const def of losses.filter((l) => l.family === 'keras')) {
      const { function: fn, class: cls } = def.libraryNames!.keras!;
      expect(def.name).toBe(`keras.${fn}`);
      for (const name of [`keras.${cls}`, `keras.losses.${fn}`, `keras.losses.${cls}`, `tf.keras.losses.${fn}`, `tf.keras.losses.${cls}`]) expect(findLoss(name)?.name, name).toBe(def.name);
    }
    expect(findLoss('torchvision.ops.sigmoid_focal_loss')?.name).toBe('sigmoid_focal');
  });

  test('every accepted name answers on POST /loss exactly as its loss, and names its model on v2', async () => {
    const canonical = new Map<string, string>();
    for (const def of losses) {
      const body = { loss: def.name, ...exampleInputs(def), ...(def.demo.example.params ? { params: def.demo.example.params } : {}) };
      canonical.set(def.name, (await post(body)).body);
    }
    for (const name of lossNames) {
      const def = findLoss(name)!;
      const body = { loss: name, ...exampleInputs(def), ...(def.demo.example.params ? { params: def.demo.example.params } : {}) };
      expect((await post(body)).body, name).toBe(canonical.get(def.name));
      const ready = await app.inject({ url: `/v2/models/${encodeURIComponent(name)}/ready` });
      expect(ready.json(), name).toEqual({ name, ready: true });
    }
    console.log(`${lossNames.length} names accepted for ${losses.length} losses`);
    expect(lossNames.length).toBeGreaterThan(300);
  });
});

describe('names a person mistypes', () => {
  test.each([
    ['mse_los', 'did you mean mse_loss?'],
    ['MSELos', 'did you mean MSELoss?'],
    ['CrossEntropyLos', 'did you mean CrossEntropyLoss?'],
    ['crossentropyloss', 'did you mean CrossEntropyLoss?'],
    ['torch.nn.BCELos', 'did you mean torch.nn.BCELoss?'],
    ['keras.losses.BinaryCrossEntropy', 'did you mean keras.losses.BinaryCrossentropy?'],
  ])('%s: %s', async (loss, hint) => {
    const res = await post({ loss, predictions: [0.5], targets: [1] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'unknown_loss', field: 'loss' });
    expect(res.json().detail).toContain(hint);
  });

  test('a name close to nothing says where the list is; at most three names are offered', async () => {
    expect((await post({ loss: 'qqqqqqqq', predictions: [1], targets: [1] })).json().detail).toBe('unknown loss "qqqqqqqq"; GET /losses lists every loss');
    const detail: string = (await post({ loss: 'hinge_los', predictions: [1], targets: [1] })).json().detail;
    expect(detail.match(/did you mean (.*)\?/)![1].split(/, | or /).length).toBeLessThanOrEqual(3);
  });

  test('an unknown field names the closest one the loss takes', async () => {
    const res = await post({ loss: 'mse', prediction: [1], targets: [1] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_body', field: 'prediction', detail: expect.stringMatching(/^prediction: did you mean predictions\?/) });
    const triplet = await post({ loss: 'triplet_margin', anchor: [[1, 2]], positive: [[1, 2]], negatives: [[0, 1]] });
    expect(triplet.json().detail).toMatch(/^negatives: did you mean negative\?/);
    expect((await post({ loss: 'mse', predictions: [1], targets: [1], reductions: 'sum' })).json().detail).toMatch(/^reductions: did you mean reduction\?/);
  });

  test("Keras's y_true and y_pred are the keras.* losses' targets and predictions, on POST /loss and v2", async () => {
    const named = await post({ loss: 'keras.losses.MeanSquaredError', y_true: [[0, 1], [1, 1]], y_pred: [[0.5, 0.5], [1, 0]], include: ['gradient'] });
    const plain = await post({ loss: 'keras.mean_squared_error', targets: [[0, 1], [1, 1]], predictions: [[0.5, 0.5], [1, 0]], include: ['gradient'] });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.body).toBe(plain.body);
    expect((await post({ loss: 'keras.mean_squared_error', y_pred: [[1]], predictions: [[1]], y_true: [[1]] })).json().detail).toMatch(/predictions and y_pred are the same input/);
    const v2 = await app.inject({
      method: 'POST',
      url: '/v2/models/keras.losses.MeanSquaredError/infer',
      payload: {
        inputs: [
          { name: 'y_true', shape: [2, 2], datatype: 'FP64', data: [0, 1, 1, 1] },
          { name: 'y_pred', shape: [2, 2], datatype: 'FP64', data: [0.5, 0.5, 1, 0] },
        ],
        outputs: [{ name: 'value' }],
      },
    });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json().outputs[0].data[0]).toBe(plain.json().value);
  });
});

describe('reduction none', () => {
  test("every PyTorch loss takes it: per_sample alone, as PyTorch's reduction='none'", async () => {
    for (const def of losses.filter((l) => l.family !== 'keras' && l.family !== 'sklearn')) {
      const body = { loss: def.name, ...exampleInputs(def), ...(def.demo.example.params ? { params: def.demo.example.params } : {}) };
      const none = await post({ ...body, reduction: 'none' });
      expect(none.statusCode, `${def.name}: ${none.body}`).toBe(200);
      const mean = (await post({ ...body, reduction: 'sum', include: ['per_sample'] })).json();
      expect(none.json(), def.name).toEqual({ loss: def.name, reduction: 'none', precision: 'float64', params: mean.params, per_sample: mean.per_sample });
    }
  });

  test('a gradient or a regularization with reduction none is a 400 that says why and what to use', async () => {
    const grad = await post({ loss: 'mse_loss', predictions: [1, 2], targets: [1, 3], reduction: 'none', include: ['gradient'] });
    expect(grad.statusCode).toBe(400);
    expect(grad.json()).toMatchObject({ field: 'include', detail: 'a gradient is the derivative of one scalar value, and reduction none answers per_sample alone: use reduction mean or sum' });
    const keras = await post({ loss: 'keras.huber', predictions: [[1, 2]], targets: [[1, 3]], reduction: 'none', include: ['gradient'] });
    expect(keras.json().detail).toMatch(/use reduction sum_over_batch_size, sum, mean or mean_with_sample_weight$/);
    const reg = await post({ loss: 'mse', predictions: [1], targets: [1], reduction: 'none', regularization: { l1: 0.1, l2: 0, parameters: [1] } });
    expect(reg.json()).toMatchObject({ field: 'regularization', detail: expect.stringMatching(/^regularization adds to the reduced value/) });
    const v2 = await app.inject({
      method: 'POST',
      url: '/v2/models/MSELoss/infer',
      payload: {
        inputs: [
          { name: 'predictions', shape: [2], datatype: 'FP64', data: [1, 2] },
          { name: 'targets', shape: [2], datatype: 'FP64', data: [1, 3] },
        ],
        parameters: { reduction: 'none' },
        outputs: [{ name: 'per_sample' }, { name: 'gradient' }],
      },
    });
    expect(v2.statusCode).toBe(400);
    expect(v2.json().error).toMatch(/^output 'gradient': a gradient is the derivative of one scalar value/);
  });
});
