import type { OpenAPIObject } from '@nestjs/swagger';

type PathItem = OpenAPIObject['paths'][string];

const DESCRIPTION =
  'The GraphQL API: its types, queries, mutations and subscriptions are in schema.graphql (at the repository root, and by introspection), not here; see docs/graphql.md. The credential and scopes are those of REST, checked per root field. Every answer reports its cost in extensions.cost. Subscriptions use a WebSocket on the same path (graphql-transport-ws), whose connection_init payload carries {"authorization": "Bearer <token>"}.';

const cacheControl = {
  description:
    'no-store when the operation selects a field that answers a secret (webhookSubscriptionCreate), private, no-cache otherwise',
  schema: { type: 'string', enum: ['private, no-cache', 'no-store'] },
};

const result = {
  type: 'object',
  description: 'A GraphQL result: data, errors (with extensions.code) and extensions.cost',
  properties: {
    data: { type: 'object', nullable: true, additionalProperties: true },
    errors: { type: 'array', items: { type: 'object', additionalProperties: true } },
    extensions: {
      type: 'object',
      properties: {
        cost: {
          type: 'object',
          properties: {
            requestedQueryCost: { type: 'integer' },
            actualQueryCost: { type: 'integer' },
            throttleStatus: {
              type: 'object',
              properties: {
                maximumAvailable: { type: 'integer' },
                currentlyAvailable: { type: 'integer' },
                restoreRate: { type: 'integer' },
              },
            },
          },
        },
      },
      additionalProperties: true,
    },
  },
} as const;

/** A copy per operation: the document generator adds to each. */
const graphqlResponses = () => ({
  '200': {
    description: 'The result; errors of resolvers (userErrors aside) are in errors[]',
    headers: { 'Cache-Control': cacheControl },
    content: { 'application/json': { schema: result } },
  },
  '400': {
    description:
      'The document does not parse or validate, or is over the depth, cost, alias or token limit (QUERY_TOO_COMPLEX): nothing ran',
    content: { 'application/json': { schema: result } },
  },
  '429': {
    description: 'THROTTLED: the cost bucket lacks the points now; see Retry-After',
    content: { 'application/json': { schema: result } },
  },
});

/**
 * `/graphql` in the OpenAPI document: Apollo registers the route, not a Nest controller, so it
 * is described here, beside the module that mounts it. Why it is in the document at all:
 * docs/decisions.md ("The OpenAPI document").
 */
export const GRAPHQL_PATH_ITEM: PathItem = {
  post: {
    operationId: 'GraphQL_post',
    tags: ['GraphQL'],
    summary: 'A GraphQL operation (query or mutation)',
    description: DESCRIPTION,
    security: [{ bearer: [] }, { oauth2: [] }],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              query: { type: 'string', description: 'Omitted for a known persisted query' },
              operationName: { type: 'string' },
              variables: { type: 'object', additionalProperties: true },
              extensions: {
                type: 'object',
                description:
                  'persistedQuery: {"version": 1, "sha256Hash"} (automatic persisted queries)',
                additionalProperties: true,
              },
            },
          },
        },
      },
    },
    responses: graphqlResponses(),
  },
  get: {
    operationId: 'GraphQL_get',
    tags: ['GraphQL'],
    summary: 'A query by GET (persisted queries); mutations need POST',
    description: DESCRIPTION,
    security: [{ bearer: [] }, { oauth2: [] }],
    parameters: [
      { name: 'query', in: 'query', required: false, schema: { type: 'string' } },
      { name: 'operationName', in: 'query', required: false, schema: { type: 'string' } },
      {
        name: 'variables',
        in: 'query',
        required: false,
        description: 'JSON',
        schema: { type: 'string' },
      },
      {
        name: 'extensions',
        in: 'query',
        required: false,
        description: 'JSON: {"persistedQuery": {"version": 1, "sha256Hash": "…"}}',
        schema: { type: 'string' },
      },
    ],
    responses: graphqlResponses(),
  },
};
