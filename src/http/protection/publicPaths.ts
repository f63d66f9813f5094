// What needs no API key: the health probes (a busy service must still say it is alive), the
// API's own documentation and the problem types that errors link to.
export const PROBES = new Set(['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready']);

export const isPublicPath = (path: string) =>
  PROBES.has(path) || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/') || path.startsWith('/problems/');
