import type { OpenAPIObject } from '@nestjs/swagger';

export type JsonSchema = { [keyword: string]: unknown };

const COMPONENT_PREFIX = '#/components/schemas/';

/** Keywords whose value is a schema, a list of schemas, or a map of names to schemas. */
const SUBSCHEMA = new Set(['items', 'additionalProperties', 'not']);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SUBSCHEMA_MAPS = new Set(['properties']);

/**
 * OpenAPI 3.0 keywords whose meaning differs from JSON Schema and that are not translated here:
 * met in a component, generation stops rather than publish a schema that means something else.
 */
const UNTRANSLATED = [
  'discriminator',
  'xml',
  'externalDocs',
  'exclusiveMinimum',
  'exclusiveMaximum',
];

/**
 * One component of an OpenAPI 3.0 document as a standalone JSON Schema (draft 2020-12), with the
 * components it reaches under `$defs`. Written here rather than taken from a converter package:
 * the two 3.0 keywords that JSON Schema lacks and these schemas use (`nullable`, `example`) take
 * a few lines, while the maintained converter targets draft-04 and would bring lodash, yargs and
 * a second openapi-typescript into the server's dependencies.
 */
export function componentAsJsonSchema(
  document: OpenAPIObject,
  name: string,
  annotations: JsonSchema = {},
): JsonSchema {
  const components = (document.components?.schemas ?? {}) as Record<string, JsonSchema>;
  const defs: Record<string, JsonSchema> = {};

  const reference = (ref: string, at: string): string => {
    const target = ref.slice(COMPONENT_PREFIX.length);
    if (!ref.startsWith(COMPONENT_PREFIX) || !(target in components))
      throw new Error(`${at}: unresolved $ref ${ref}`);
    if (target === name) return '#';
    if (!(target in defs)) {
      defs[target] = {};
      defs[target] = convert(components[target], `${COMPONENT_PREFIX}${target}`);
    }
    return `#/$defs/${target}`;
  };

  const convert = (node: unknown, at: string): JsonSchema => {
    if (typeof node !== 'object' || node === null || Array.isArray(node))
      throw new Error(`${at}: not a schema`);
    const { nullable, example, ...rest } = node as JsonSchema;
    const schema: JsonSchema = {};
    for (const [keyword, value] of Object.entries(rest)) {
      const path = `${at}/${keyword}`;
      if (UNTRANSLATED.includes(keyword)) throw new Error(`${path}: not translated to JSON Schema`);
      if (keyword === '$ref') schema.$ref = reference(String(value), at);
      else if (SUBSCHEMA.has(keyword) && typeof value === 'object')
        schema[keyword] = convert(value, path);
      else if (SUBSCHEMA_LISTS.has(keyword))
        schema[keyword] = (value as unknown[]).map((item, index) =>
          convert(item, `${path}/${index}`),
        );
      else if (SUBSCHEMA_MAPS.has(keyword))
        schema[keyword] = Object.fromEntries(
          Object.entries(value as JsonSchema).map(([key, item]) => [
            key,
            convert(item, `${path}/${key}`),
          ]),
        );
      else schema[keyword] = value;
    }
    if (example !== undefined) schema.examples = [example];
    if (nullable !== true) return schema;
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
    if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
    return { anyOf: [schema, { type: 'null' }] };
  };

  if (!(name in components)) throw new Error(`no component ${name}`);
  const root = convert(components[name], `${COMPONENT_PREFIX}${name}`);
  const sortedDefs = Object.entries(defs).sort(([a], [b]) => a.localeCompare(b));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...annotations,
    title: name,
    ...root,
    ...(sortedDefs.length > 0 ? { $defs: Object.fromEntries(sortedDefs) } : {}),
  };
}
