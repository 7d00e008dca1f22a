import { isId } from '../common/ids';

/**
 * A store's PostgreSQL schema is named after its id (`store_<ulid>`). The id is checked against the
 * id grammar before it can become an identifier, so no request can name any other schema.
 */
export function storeSchemaName(storeId: string): string {
  if (!isId(storeId, 'store')) throw new Error(`Not a store id: ${JSON.stringify(storeId)}`);
  return storeId;
}
