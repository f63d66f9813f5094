// The last touches on the generated OpenAPI document, so that it lints clean (Redocly's
// recommended rules, test/openapi.test.ts) and generated clients read well:
// - zod's transform writes every named schema twice, as `X` (output) and `XInput` (input); only
//   the variant some operation uses is kept, under the plain name;
// - every operation answers a 4XX problem for what the HTTP layer refuses before any route runs
//   (a bad request line 400, headers over 16 KiB 431, a request timeout 408), and says which
//   security applies: none for the public routes, else the optional bearer key.
import { isPublicPath } from '../protection/publicPaths.ts';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as free-form JSON, any key at any depth
export type OpenApiJson = Record<string, any>;
type Json = OpenApiJson;

const REF = '#/components/schemas/';

function refsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) out.add(v.slice(REF.length));
      else refsIn(v, out);
    }
  }
  return out;
}

function renameRefs(value: unknown, rename: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith(REF) && rename.has(v.slice(REF.length)) ? REF + rename.get(v.slice(REF.length)) : renameRefs(v, rename)]),
  );
}

/** Keeps the schemas the paths reach (directly or through other schemas), each under its noun. */
function keepUsedSchemas(doc: Json): Json {
  const schemas: Json = doc.components?.schemas ?? {};
  const used = refsIn(doc.paths, new Set());
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of [...used]) {
      for (const r of refsIn(schemas[name], new Set())) {
        if (used.has(r)) continue;
        used.add(r);
        grew = true;
      }
    }
  }
  const rename = new Map<string, string>();
  for (const name of used) if (name.endsWith('Input') && !used.has(name.slice(0, -5))) rename.set(name, name.slice(0, -5));
  const kept = Object.fromEntries([...used].sort().map((name) => [rename.get(name) ?? name, renameRefs(schemas[name], rename)]));
  return { ...doc, paths: renameRefs(doc.paths, rename), components: { ...doc.components, schemas: kept } };
}

/** Examples declared on a named schema (x-examples) belong to the operations that use it: moved
 *  to each media object whose schema refers to it (the generator leaves them in the component). */
function examplesToMedia(doc: Json): void {
  const schemas: Json = doc.components?.schemas ?? {};
  const moved = new Set<string>();
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(item)) {
      if (typeof operation !== 'object' || operation === null) continue;
      const media = [...Object.values<Json>(operation.requestBody?.content ?? {}), ...Object.values<Json>(operation.responses ?? {}).flatMap((r) => Object.values<Json>(r?.content ?? {}))];
      for (const m of media) {
        const ref: unknown = m?.schema?.$ref;
        if (typeof ref !== 'string' || !ref.startsWith(REF)) continue;
        const name = ref.slice(REF.length);
        const examples = schemas[name]?.['x-examples'];
        if (examples === undefined) continue;
        m.examples ??= examples;
        moved.add(name);
      }
    }
  }
  for (const name of moved) delete schemas[name]['x-examples'];
}

export function tidyDocument(doc: Json, problemSchemaRef = `${REF}Problem`): Json {
  const tidy = keepUsedSchemas(doc);
  examplesToMedia(tidy);
  for (const [path, item] of Object.entries<Json>(tidy.paths ?? {})) {
    for (const operation of Object.values<Json>(item)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      const v2 = path === '/v2' || path.startsWith('/v2/');
      operation.responses['4XX'] ??= {
        description: 'The request was refused: a malformed request line (400), headers over 16 KiB (431), a body that did not arrive in time (408), or any 4xx of the catalog.',
        content: v2 ? { 'application/json': { schema: { $ref: `${REF}V2Error` } } } : { 'application/problem+json': { schema: { $ref: problemSchemaRef } } },
      };
      operation.security = isPublicPath(path.replace(/\{[^}]+\}/g, 'x')) ? [] : [{}, { bearerAuth: [] }];
    }
  }
  return keepUsedSchemas(tidy);
}
