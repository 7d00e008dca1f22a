import type { OpenAPIObject } from '@nestjs/swagger';
import { componentAsJsonSchema } from './json-schema';

const document = (schemas: Record<string, unknown>) =>
  ({
    openapi: '3.0.0',
    info: { title: 't', version: 'v1' },
    paths: {},
    components: { schemas },
  }) as unknown as OpenAPIObject;

describe('componentAsJsonSchema', () => {
  it('translates nullable and example, and keeps the rest', () => {
    const schema = componentAsJsonSchema(
      document({
        Thing: {
          type: 'object',
          required: ['name', 'note', 'state'],
          properties: {
            name: { type: 'string', example: 'mug', maxLength: 10 },
            note: { type: 'string', nullable: true },
            state: { type: 'string', enum: ['on', 'off'], nullable: true },
            nullable: { type: 'integer', minimum: 0 },
          },
        },
      }),
      'Thing',
      { $id: 'urn:x' },
    );
    expect(schema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:x',
      title: 'Thing',
      type: 'object',
      required: ['name', 'note', 'state'],
      properties: {
        name: { type: 'string', examples: ['mug'], maxLength: 10 },
        note: { type: ['string', 'null'] },
        state: { type: ['string', 'null'], enum: ['on', 'off', null] },
        // A property named like a keyword is a property, not a keyword.
        nullable: { type: 'integer', minimum: 0 },
      },
    });
  });

  it('brings every component it reaches under $defs, once, and points back to itself with #', () => {
    const schema = componentAsJsonSchema(
      document({
        Order: {
          type: 'object',
          properties: {
            lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } },
            parent: { allOf: [{ $ref: '#/components/schemas/Order' }], nullable: true },
          },
        },
        Line: { type: 'object', properties: { sku: { $ref: '#/components/schemas/Sku' } } },
        Sku: { type: 'string' },
        Unrelated: { type: 'string' },
      }),
      'Order',
    );
    expect(schema.properties).toEqual({
      lines: { type: 'array', items: { $ref: '#/$defs/Line' } },
      parent: { anyOf: [{ allOf: [{ $ref: '#' }] }, { type: 'null' }] },
    });
    expect(schema.$defs).toEqual({
      Line: { type: 'object', properties: { sku: { $ref: '#/$defs/Sku' } } },
      Sku: { type: 'string' },
    });
  });

  it('refuses what it does not translate, rather than publish a schema that means otherwise', () => {
    expect(() =>
      componentAsJsonSchema(
        document({ A: { type: 'number', minimum: 0, exclusiveMinimum: true } }),
        'A',
      ),
    ).toThrow(/exclusiveMinimum/);
    expect(() =>
      componentAsJsonSchema(document({ A: { $ref: '#/components/schemas/Missing' } }), 'A'),
    ).toThrow(/unresolved/);
  });
});
