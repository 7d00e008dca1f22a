import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  readonly method: string;
  /** In OpenAPI's form: `/v1/products/{id}`. */
  readonly path: string;
}

/**
 * Every route Fastify has registered, read from `printRoutes({ commonPrefix: false })`, Fastify's
 * public view of its router: one tree line per path segment, its methods in parentheses, a
 * route's path the concatenation of its ancestors' labels. The instance must be ready (listening),
 * or routes of plugins still loading (Swagger UI's static files) are missing.
 */
export function registeredRoutes(fastify: FastifyInstance): RegisteredRoute[] {
  const ancestors: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    ancestors.length = node[1].length / 4;
    ancestors.push(node[2]);
    const path = ancestors.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of node[3]?.split(', ') ?? []) routes.push({ method, path });
  }
  return routes;
}
