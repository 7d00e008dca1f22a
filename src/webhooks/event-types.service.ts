import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { EventTypeListResource } from './event-type.serializer';
import { eventTypesOf } from './event-types';

/**
 * The published event types. Their schemas come from the OpenAPI document, which only exists
 * once the HTTP application's routes do, so the application hands its document over
 * (application.ts); it is built on first use and kept, like the served OpenAPI document.
 */
@Injectable()
export class EventTypesService {
  private document?: () => OpenAPIObject;
  private catalogue?: EventTypeListResource;

  describeFrom(document: () => OpenAPIObject): void {
    this.document = document;
    this.catalogue = undefined;
  }

  list(): EventTypeListResource {
    if (!this.document) throw new Error('EventTypesService: no OpenAPI document handed over');
    return (this.catalogue ??= eventTypesOf(this.document()));
  }
}
