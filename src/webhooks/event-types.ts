import type { OpenAPIObject } from '@nestjs/swagger';
import { envelopeSchemaName } from '../events/event-envelope';
import { componentAsJsonSchema } from './json-schema';
import type { EventTypeListResource } from './event-type.serializer';
import { DELIVERED_EVENT_TYPES } from './webhook-topics';

/**
 * The JSON Schema of every delivered event type in the API version `document` describes, taken
 * from the document's own envelope components: the schema a webhook receiver validates with is
 * the one the REST answers are documented with, built by swagger from the same resource classes.
 */
export function eventTypesOf(document: OpenAPIObject): EventTypeListResource {
  const apiVersion = document.info.version;
  return {
    data: DELIVERED_EVENT_TYPES.map(({ type, scope }) => ({
      type,
      apiVersion,
      scope,
      schema: componentAsJsonSchema(document, envelopeSchemaName(type), {
        $id: `urn:dukkadee:event-type:${apiVersion}:${type}`,
      }),
    })),
  };
}
