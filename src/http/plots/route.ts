// Pictures: GET /losses/{name}/plot.svg (a loss and its derivative along its natural axis),
// GET /plots/{name}.svg (losses compared on one axis: plots/comparisons.ts), GET /explore (all of them).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ServiceError } from '../../errors/catalog.ts';
import { losses } from '../../losses/registry.ts';
import { parseLossParams } from '../../validation/lossParams.ts';
import { resolveLossName } from '../../validation/lossRequestNames.ts';
import { paramProperties } from '../../losses/describeParams.ts';
import type { LossDefinition } from '../../losses/types.ts';
import { lossCurve } from '../../plots/lossCurve.ts';
import { comparisons, comparisonSvg } from '../../plots/comparisons.ts';
import { renderLineChart } from '../../plots/svgChart.ts';
import { problemResponses } from '../schemas.ts';

const PlotQuery = z
  .object({
    from: z.coerce.number().optional().meta({ description: 'Start of the x range (default: the loss\'s own).' }),
    to: z.coerce.number().optional().meta({ description: 'End of the x range.' }),
    points: z.coerce.number().int().min(2).max(2001).default(201).meta({ description: 'Samples along x.' }),
  })
  .catchall(z.string().meta({ description: "The loss's parameters, e.g. delta=0.5; vectors comma-separated." }));

/** Query strings → the loss's parameters, typed by their schema, then validated by it. */
function paramsFromQuery(def: LossDefinition, query: Record<string, unknown>): unknown {
  const props = paramProperties(def);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key === 'from' || key === 'to' || key === 'points') continue;
    const type = props[key]?.type ?? (props[key]?.anyOf ? 'number' : undefined);
    const text = String(value);
    raw[key] = type === 'boolean' ? (text === 'true' ? true : text === 'false' ? false : text) : type === 'array' ? text.split(',').map(Number) : type === 'number' || type === 'integer' ? Number(text) : text;
  }
  return parseLossParams(def, raw);
}

export function lossPlotSvg(def: LossDefinition, params: unknown, from: number, to: number, points: number): string {
  const curve = lossCurve(def, params, from, to, points);
  const shown = Object.entries(params as Record<string, unknown>).filter(([, v]) => !Array.isArray(v)).map(([k, v]) => `${k}=${v}`).join(', ');
  return renderLineChart({
    title: `${def.name}${shown ? ` (${shown})` : ''}`,
    subtitle: def.docs.formula,
    xLabel: def.demo.plot.label,
    yLabel: 'loss and its derivative',
    series: [
      { name: 'loss', points: curve.loss },
      { name: 'derivative', points: curve.derivative, dashed: true },
    ],
    yClip: 'robust',
  });
}

function explorePage(): string {
  const figures = Object.entries(comparisons)
    .map(([name, c]) => `<figure id="${name}"><img src="/plots/${name}.svg" alt="${c.title}" width="640" height="400" loading="lazy"><figcaption><b>${c.title}</b>: ${c.caption}</figcaption></figure>`)
    .join('\n');
  const cards = losses
    .map(
      (def) => `<figure id="${def.name}"><img src="/losses/${def.name}/plot.svg" alt="${def.name}: the loss and its derivative" width="640" height="400" loading="lazy">
<figcaption><b>${def.name}</b>: ${def.docs.summary} <code>${def.docs.formula}</code> · <a href="/losses/${def.name}">catalog entry</a></figcaption></figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loss service: explore</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:1400px}figure{display:inline-block;margin:0 1rem 2rem 0;vertical-align:top;width:640px}figcaption{font-size:.9rem;line-height:1.4}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body>
<h1>Explore the losses</h1>
<p>Every loss of the catalog and its derivative, computed by the service's own kernels. Each picture is <code>GET /losses/{name}/plot.svg</code>; add <code>?from=&amp;to=</code> or the loss's parameters (<code>?delta=0.5</code>) to change it. Try requests in <a href="/docs">Swagger UI</a>.</p>
${figures}
${cards}
</body></html>`;
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
      const { from = def.demo.plot.range[0], to = def.demo.plot.range[1], points } = request.query;
      if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) {
        throw new ServiceError('invalid_body', `the range must be finite with from < to; got from=${from}, to=${to}`, { field: 'from' });
      }
      const svg = lossPlotSvg(def, paramsFromQuery(def, request.query), from, to, points);
      return reply.type('image/svg+xml').send(svg);
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
  app.get('/explore', {
    schema: { summary: 'Every loss as a picture (HTML)', operationId: 'explore', tags: ['explore'], response: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } } },
    handler: async (_request, reply) => reply.type('text/html; charset=utf-8').send(explorePage()),
  });
};

export default plotsRoute;
