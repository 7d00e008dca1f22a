import { Field, ID, ObjectType } from '@nestjs/graphql';
import { DateTime, JSONObject } from '../scalars';

@ObjectType({ description: 'A committed change, as /v1/events lists it and webhooks send it' })
export class Event {
  @Field(() => ID)
  id: string;

  @Field()
  type: string;

  @Field(() => DateTime)
  createdAt: string;

  @Field(() => JSONObject, {
    description: 'The envelope: {id, type, createdAt, storeId, apiVersion, data: {object}}',
  })
  payload: Record<string, unknown>;
}
