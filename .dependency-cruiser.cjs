// The layers of src/ (README, "Layers"; docs/decisions.md, "Layers"), checked by `npm run lint`.
//
//   adapters and entry points  app, cli, graphql, hosted-ui, openapi, onboarding, sync-agent,
//                              main, worker
//   feature modules            catalog, customers, inventory, orders, events, webhooks, platform,
//                              sync, oauth, throttling, maintenance
//   infrastructure             auth, web, observability, jobs, database, config, common, types
//
// A layer imports only the layers below it; feature modules import each other through their
// public surface only; no two modules depend on each other, however indirectly.

const FEATURES =
  'catalog|customers|inventory|orders|events|webhooks|platform|sync|oauth|throttling|maintenance';
const ADAPTERS = 'app|cli|graphql|hosted-ui|openapi|onboarding|sync-agent';
// What a feature module offers the others: its services, Nest module and decorators, the resource shapes its
// serializers define, its input DTOs, and the event log's types.
const PUBLIC_SURFACE = [
  '\\.(service|module|decorator)\\.ts$',
  '\\.serializers?\\.ts$',
  '/dto/',
  '^src/events/event-(catalog|envelope)\\.ts$',
];
// The event catalogue is the one table that names every topic's resource class (ARCHITECTURE.md:
// one event catalogue), while the feature modules record their events in the log beside it:
// checking it would make `events` and every feature one cycle (docs/decisions.md, "Layers").
const EVENT_CATALOGUE = '^src/events/event-catalog\\.ts$';
const TRANSPORT_PACKAGES =
  'node_modules/(@nestjs/graphql|graphql|graphql-ws|graphql-subscriptions|@apollo/[^/]+|ws|@fastify/[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-module-cycles',
      comment: 'Modules (the folders of src/) form no cycle, however long.',
      severity: 'error',
      scope: 'folder',
      // Folders at any depth (src/sync/dto → src/catalog/dto counts), between two modules.
      from: { path: '^src/([^/]+)' },
      to: { path: '^src/[^/]+', pathNot: '^src/$1(/|$)', circular: true },
    },
    {
      name: 'common-stands-alone',
      comment: 'common holds what every module needs and depends on none of them.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/(common|types)/' },
    },
    {
      name: 'database-knows-no-feature',
      comment: 'Each module registers its own entities; the database layer names none of them.',
      severity: 'error',
      from: { path: '^src/database/' },
      to: { path: '^src/', pathNot: '^src/(database|common|config|types)/' },
    },
    {
      name: 'auth-knows-no-transport',
      comment:
        'auth resolves credentials from a transport-neutral request; GraphQL, WebSocket and Fastify adapters live with their transport. Fastify types (the request shape) are allowed.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: { path: [`^src/(${ADAPTERS})/`, TRANSPORT_PACKAGES] },
    },
    {
      name: 'auth-knows-no-fastify-at-run-time',
      comment: 'Only the types of Fastify may reach auth; nothing of it at run time.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: {
        path: 'node_modules/(fastify|@nestjs/platform-fastify)/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'auth-knows-no-feature',
      comment: 'Features register their credential strategies with auth, never the other way.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: { path: `^src/(${FEATURES})/` },
    },
    {
      name: 'hosted-ui-calls-services',
      comment:
        'The hosted pages call the services in-process (ARCHITECTURE.md): never a controller, a resolver, GraphQL, or an HTTP client that could call the API over the network.',
      severity: 'error',
      from: { path: '^src/hosted-ui/' },
      to: {
        path: [
          '\\.(controller|resolver)\\.tsx?$',
          '^src/graphql/',
          'node_modules/(undici|node-fetch|axios|got|ky|superagent|graphql-request|@apollo/client|openapi-fetch|@dukkadee/sdk)/',
          '^sdk/',
        ],
        pathNot: '^src/hosted-ui/',
      },
    },
    {
      name: 'hosted-ui-opens-no-connection',
      comment:
        'Nor the network modules of Node (the global fetch is refused by ESLint in eslint.config.mjs).',
      severity: 'error',
      from: { path: '^src/hosted-ui/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(http|https|http2|net|tls|dgram)$' },
    },
    {
      name: 'infrastructure-knows-no-feature',
      comment: 'database, jobs, observability, config and web sit below every feature module.',
      severity: 'error',
      from: { path: '^src/(database|jobs|observability|config|web)/' },
      to: { path: `^src/(${FEATURES})/` },
    },
    {
      name: 'no-adapter-below',
      comment:
        'Adapters and entry points call services; nothing below them imports one (the hosted UI, GraphQL and the CLI are thin).',
      severity: 'error',
      from: { pathNot: `^src/(${ADAPTERS})/|^src/(main|worker)\\.ts$` },
      to: { path: `^src/(${ADAPTERS})/|^src/(main|worker)\\.ts$` },
    },
    {
      name: 'features-meet-through-services',
      comment:
        'A feature module uses another one through its public surface (services, Nest module, resource shapes, DTOs), never its entities, tables or helpers.',
      severity: 'error',
      from: { path: `^src/(${FEATURES})/` },
      to: { path: `^src/(${FEATURES})/`, pathNot: ['^src/$1/', ...PUBLIC_SURFACE] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: EVENT_CATALOGUE },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Folder-level rules (no-module-cycles) need the folder metrics.
    metrics: true,
  },
};
