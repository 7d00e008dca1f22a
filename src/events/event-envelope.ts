import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type { EventType } from './event-catalog';

/** The webhook body, the `/v1/events` item and the GraphQL `Event.payload` (CONTRACT.md). */
export interface EventEnvelope<T = unknown> {
  readonly id: string;
  readonly type: EventType;
  readonly createdAt: string;
  readonly storeId: string;
  readonly apiVersion: string;
  readonly data: { readonly object: T };
}

/** The OpenAPI schema name of a type's envelope: `order.created` → `OrderCreatedEvent`. */
export function envelopeSchemaName(type: string): string {
  const words = type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${words.join('')}Event`;
}

const models = new Map<string, Type<unknown>>();

/**
 * The envelope of one event type as OpenAPI documents it, with `type` fixed and `data.object`
 * the REST resource class: swagger builds its schema from the same decorated classes as the REST
 * answers, and the event-type schemas are derived from it (event-types.service.ts). One model
 * per type, created once, since two classes of one schema name would overwrite each other.
 */
export function envelopeModel(type: string, resource: Type<unknown>): Type<unknown> {
  const existing = models.get(type);
  if (existing) return existing;
  const name = envelopeSchemaName(type);
  const model = class {};
  Object.defineProperty(model, 'name', { value: name });
  const property = (key: string, options: Parameters<typeof ApiProperty>[0]) =>
    ApiProperty(options)(model.prototype, key);
  property('id', { type: String, example: 'evt_01jw3e5m8c4t9h2k7q6r0v1x2y' });
  property('type', { type: String, enum: [type] });
  property('createdAt', { type: String, format: 'date-time' });
  property('storeId', { type: String, example: 'store_01jw3e5m8c4t9h2k7q6r0v1x2y' });
  property('apiVersion', { type: String, example: 'v1' });
  property('data', {
    type: 'object',
    selfRequired: true,
    required: ['object'],
    // Swagger's property options type nested properties without `$ref`, but copies them as given.
    properties: { object: { $ref: getSchemaPath(resource) } as never },
    description: 'data.object is the resource as REST returns it in apiVersion',
  });
  ApiSchema({ name, description: `Envelope of the ${type} event` })(model);
  models.set(type, model);
  return model;
}

/** Registers envelope models and their resources, so that `$ref`s to them resolve. */
export function ApiEnvelopeModels(
  entries: readonly { readonly type: string; readonly resource: Type<unknown> }[],
) {
  return applyDecorators(
    ApiExtraModels(
      ...new Set(entries.map((entry) => entry.resource)),
      ...entries.map((entry) => envelopeModel(entry.type, entry.resource)),
    ),
  );
}

/** `oneOf` the envelopes of these types, told apart by `type`. */
export function envelopeUnionSchema(
  entries: readonly { readonly type: string; readonly resource: Type<unknown> }[],
) {
  const refs = entries.map((entry) => ({
    type: entry.type,
    $ref: getSchemaPath(envelopeModel(entry.type, entry.resource)),
  }));
  return {
    oneOf: refs.map(({ $ref }) => ({ $ref })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(refs.map(({ type, $ref }) => [type, $ref])),
    },
  };
}
