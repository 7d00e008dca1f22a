import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The explorer's files, served from the installed packages: no CDN. */
const ASSETS: Record<string, { readonly file: string; readonly type: string }> = {
  'graphiql.min.js': { file: 'graphiql/graphiql.min.js', type: 'text/javascript' },
  'graphiql.min.css': { file: 'graphiql/graphiql.min.css', type: 'text/css' },
  'react.production.min.js': { file: 'react/umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.production.min.js': {
    file: 'react-dom/umd/react-dom.production.min.js',
    type: 'text/javascript',
  },
};

function assetPath(file: string): string {
  const [scopeOrName, ...rest] = file.split('/');
  return join(dirname(require.resolve(`${scopeOrName}/package.json`)), ...rest);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Dukkadee GraphQL explorer</title>
  <link rel="stylesheet" href="/graphql/explorer/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #explorer { height: 100vh; }</style>
</head>
<body>
  <div id="explorer">Loading…</div>
  <script src="/graphql/explorer/react.production.min.js"></script>
  <script src="/graphql/explorer/react-dom.production.min.js"></script>
  <script src="/graphql/explorer/graphiql.min.js"></script>
  <script>
    const ws = location.origin.replace(/^http/, 'ws') + '/graphql';
    const fetcher = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: ws });
    ReactDOM.createRoot(document.getElementById('explorer')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultHeaders: '{ "Authorization": "Bearer <your API key>" }',
        shouldPersistHeaders: false,
      }),
    );
  </script>
</body>
</html>
`;

/**
 * GraphiQL at /graphql when a browser asks for a page (outside production), served from the
 * graphiql and react packages. Apollo keeps every other request to /graphql, including GETs of
 * persisted queries, which ask for JSON.
 */
export function mountGraphqlExplorer(fastify: FastifyInstance): void {
  fastify.get<{ Params: { file: string } }>('/graphql/explorer/:file', (request, reply) => {
    const asset = ASSETS[request.params.file];
    if (!asset) return reply.callNotFound();
    return reply
      .type(asset.type)
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(assetPath(asset.file)));
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    const wantsPage =
      request.method === 'GET' &&
      request.url === '/graphql' &&
      (request.headers.accept ?? '').includes('text/html');
    if (!wantsPage) return done();
    reply.type('text/html; charset=utf-8').send(PAGE);
  });
}
