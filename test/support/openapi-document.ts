import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocumentedResponse {
  description: string;
  headers?: Record<string, { $ref?: string; schema?: { enum?: string[] } }>;
  content?: Record<string, unknown>;
}

export interface DocumentedOperation {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, DocumentedResponse>;
  'x-carries-secret'?: boolean;
  'x-required-scopes'?: string[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, DocumentedOperation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    headers: Record<string, { schema: { enum: string[] } }>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

/** openapi/openapi.json, which test/openapi.e2e-spec.ts holds equal to what the code generates. */
export function checkedInDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8'));
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operation: DocumentedOperation;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      operation,
    })),
  );
}

/** The values the document allows for a response's Cache-Control header. */
export function documentedCacheControl(
  document: OpenApiDocument,
  response: DocumentedResponse | undefined,
): string[] | undefined {
  const header = response?.headers?.['Cache-Control'];
  if (!header) return undefined;
  if (header.$ref)
    return document.components.headers[header.$ref.replace('#/components/headers/', '')].schema
      .enum;
  return header.schema?.enum;
}
