// Pictures: GET /losses/{name}/plot.svg (a loss and its derivative along its natural axis),
// GET /plots/{name}.svg (losses compared on one axis: plots/comparisons.ts), GET /plots/compare.svg
// (two or three losses of the user's choice).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ServiceError } from '../../errors/catalog.ts';
import { parseLossParams } from '../../validation/lossParams.ts';
import { resolveLossName } from '../../validation/lossRequestNames.ts';
import { paramProperties } from '../../losses/describeParams.ts';
import type { LossDefinition } from '../../losses/types.ts';
import { lossCurve } from '../../plots/lossCurve.ts';
import { comparisons, comparisonSvg } from '../../plots/comparisons.ts';
import { renderLineChart } from '../../plots/svgChart.ts';
import { compareLossesSvg, type ComparedLoss } from '../../plots/compareLosses.ts';
import { problemResponses } from '../schemas.ts';

const PlotQuery = z
  .object({
    from: z.coerce.number().optional().meta({ description: 'Start of the x range (default: the loss\'s own).' }),
    to: z.coerce.number().optional().meta({ description: 'End of the x range.' }),
    points: z.coerce.number().int().min(2).max(2001).default(201).meta({ description: 'Samples along x.' }),
  })
  .catchall(z.string().meta({ description: "The loss's parameters, e.g. delta=0.5; vectors comma-separated." }));

const RANGE_KEYS = new Set(['from', 'to', 'points', 'losses', 'derivative']);

/** Query strings → the loss's parameters, typed by their schema, then validated by it. */
function paramsFromQuery(def: LossDefinition, query: Record<string, unknown>): unknown {
  const props = paramProperties(def);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (RANGE_KEYS.has(key)) continue;
    const type = props[key]?.type ?? (props[key]?.anyOf ? 'number' : undefined);
    const text = String(value);
    raw[key] = type === 'boolean' ? (text === 'true' ? true : text === 'false' ? false : text) : type === 'array' ? text.split(',').map(Number) : type === 'number' || type === 'integer' ? Number(text) : text;
  }
  return parseLossParams(def, raw);
}

/** The x range asked for, or the first loss's own. */
function rangeOf(def: LossDefinition, query: { from?: number; to?: number }): [number, number] {
  const { from = def.demo.plot.range[0], to = def.demo.plot.range[1] } = query;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) {
    throw new ServiceError('invalid_body', `the range must be finite with from < to; got from=${from}, to=${to}`, { field: 'from' });
  }
  return [from, to];
}

const CompareQuery = z
  .object({
    losses: z.string().meta({ description: 'Two or three losses (one is allowed), comma-separated: huber,keras.huber.' }),
    derivative: z.enum(['true', 'false']).default('false').meta({ description: 'true: each derivative too, dashed in its loss\'s colour.' }),
    from: PlotQuery.shape.from,
    to: PlotQuery.shape.to,
    points: PlotQuery.shape.points,
  })
  .catchall(
    z.string().meta({ description: 'Parameters: delta=0.5 for every loss that has delta; 2.from_logits=true for the second loss alone.' }),
  );

/** The compared losses with their parameters: a bare name goes to every loss that declares it
 *  (and must be declared by one), `k.name` to the k-th loss (1-based). */
export function comparedFromQuery(query: Record<string, unknown>): ComparedLoss[] {
  const names = String(query.losses).split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length < 1 || names.length > 3) throw new ServiceError('invalid_body', `losses: name one to three losses, comma-separated; got ${names.length}`, { field: 'losses' });
  const defs = names.map((n) => resolveLossName(n, 'losses'));
  const own: Record<string, unknown>[] = defs.map(() => ({}));
  for (const [key, value] of Object.entries(query)) {
    if (RANGE_KEYS.has(key)) continue;
    const indexed = /^(\d+)\.(.+)$/.exec(key);
    if (indexed) {
      const k = Number(indexed[1]);
      if (!(k >= 1 && k <= defs.length)) throw new ServiceError('invalid_params', `${key}: there is no loss number ${k} (losses are numbered 1 to ${defs.length})`, { field: key });
      own[k - 1][indexed[2]] = value;
      continue;
    }
    const takers = defs.filter((d) => Object.hasOwn(paramProperties(d), key));
    if (takers.length === 0) throw new ServiceError('invalid_params', `${key}: none of ${names.join(', ')} has this parameter`, { field: key });
    defs.forEach((d, i) => {
      if (takers.includes(d)) own[i][key] ??= value;
    });
  }
  return defs.map((def, i) => ({ def, params: paramsFromQuery(def, own[i]) }));
}

export function lossPlotSvg(def: LossDefinition, params: unknown, from: number, to: number, points: number): string {
  const curve = lossCurve(def, params, from, to, points);
  const shown = Object.entries(params as Record<string, unknown>).filter(([, v]) => !Array.isArray(v)).map(([k, v]) => `${k}=${v}`).join(', ');
  return renderLineChart({
    title: `${def.name}${shown ? ` (${shown})` : ''}`,
    subtitle: def.docs.formula,
    xLabel: def.demo.plot.label,
    // A loss of labels alone (zero_one_loss) is piecewise constant: no derivative is drawn.
    yLabel: curve.derivative.length > 0 ? 'loss and its derivative' : 'loss (piecewise constant: no derivative)',
    series: [{ name: 'loss', points: curve.loss }, ...(curve.derivative.length > 0 ? [{ name: 'derivative', points: curve.derivative, dashed: true }] : [])],
    yClip: 'robust',
  });
}

const plotsRoute: FastifyPluginAsyncZod = async (app) => {
  app.get('/losses/:name/plot.svg', {
    schema: {
      summary: 'A loss and its derivative as an SVG picture',
      operationId: 'plotLoss',
      description: 'x is the residual x − y for regression losses, the margin y·f for margin losses, the predicted probability for probability losses.',
      tags: ['explore'],
      params: z.object({ name: z.string() }),
      querystring: PlotQuery,
      response: { 200: { description: 'The picture', content: { 'image/svg+xml': { schema: z.string() } } }, ...problemResponses([400, 404]) },
    },
    handler: async (request, reply) => {
      const def = resolveLossName(request.params.name, 'name');
      const [from, to] = rangeOf(def, request.query);
      const svg = lossPlotSvg(def, paramsFromQuery(def, request.query), from, to, request.query.points);
      return reply.type('image/svg+xml').send(svg);
    },
  });
  // A static path: it takes precedence over /plots/:name.svg.
  app.get('/plots/compare.svg', {
    schema: {
      summary: 'Two or three losses of your choice on one chart, each with its parameters',
      operationId: 'plotCompare',
      description: 'Each loss is drawn along its own slice (GET /losses/{name}/plot.svg says which) over the first loss\'s x range unless from/to are given.',
      tags: ['explore'],
      querystring: CompareQuery,
      response: { 200: { description: 'The picture', content: { 'image/svg+xml': { schema: z.string() } } }, ...problemResponses([400, 404]) },
    },
    handler: async (request, reply) => {
      const compared = comparedFromQuery(request.query);
      const [from, to] = rangeOf(compared[0].def, request.query);
      return reply.type('image/svg+xml').send(compareLossesSvg(compared, from, to, request.query.points, request.query.derivative === 'true'));
    },
  });
  app.get('/plots/:name.svg', {
    schema: {
      summary: 'Losses compared on one axis: margin losses, PyTorch and Keras near their clips, Gaussian NLL at several variances',
      operationId: 'plotComparison',
      tags: ['explore'],
      params: z.object({ name: z.string().meta({ description: `Which comparison: ${Object.keys(comparisons).join(', ')}.` }) }),
      response: { 200: { description: 'The picture', content: { 'image/svg+xml': { schema: z.string() } } }, ...problemResponses([404]) },
    },
    handler: async (request, reply) => {
      // An unknown picture is not found (404), not a malformed request.
      if (!Object.hasOwn(comparisons, request.params.name)) {
        throw new ServiceError('not_found', `no comparison named ${JSON.stringify(request.params.name.slice(0, 80))}; the comparisons are ${Object.keys(comparisons).join(', ')}`, { field: 'name' });
      }
      return reply.type('image/svg+xml').send(comparisonSvg(request.params.name));
    },
  });
};

export default plotsRoute;
