import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateEventTypes,
  generateGraphqlSchema,
  generateOpenApiDocument,
  serializeJsonContract,
  serializeOpenApiDocument,
} from '../src/app/contracts';
import { generateSdkTypes, SDK_TYPES_FILE } from './sdk-types';

/**
 * `npm run contracts` (alias `npm run openapi`): writes openapi/openapi.json, schema.graphql,
 * openapi/event-types.json and the SDK's generated types from the code. Tests fail while any of
 * them differs from what the code generates.
 */
async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const document = await generateOpenApiDocument();
  writeFileSync(join(root, 'openapi', 'openapi.json'), serializeOpenApiDocument(document));
  console.log(`openapi/openapi.json: ${Object.keys(document.paths).length} paths`);
  const schema = await generateGraphqlSchema();
  writeFileSync(join(root, 'schema.graphql'), schema);
  console.log(`schema.graphql: ${schema.split('\n').length} lines`);
  const eventTypes = await generateEventTypes();
  writeFileSync(join(root, 'openapi', 'event-types.json'), serializeJsonContract(eventTypes));
  console.log(`openapi/event-types.json: ${eventTypes.data.length} event types`);
  const sdkTypes = await generateSdkTypes(document, eventTypes);
  writeFileSync(join(root, SDK_TYPES_FILE), sdkTypes);
  console.log(`${SDK_TYPES_FILE}: ${sdkTypes.split('\n').length} lines`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
