import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateGraphqlSchema,
  generateOpenApiDocument,
  serializeOpenApiDocument,
} from '../src/openapi/generate';

/**
 * `npm run contracts` (alias `npm run openapi`): writes openapi/openapi.json and schema.graphql
 * from the code. Tests fail while either differs from what the code generates.
 */
async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const document = await generateOpenApiDocument();
  writeFileSync(join(root, 'openapi', 'openapi.json'), serializeOpenApiDocument(document));
  console.log(`openapi/openapi.json: ${Object.keys(document.paths).length} paths`);
  const schema = await generateGraphqlSchema();
  writeFileSync(join(root, 'schema.graphql'), schema);
  console.log(`schema.graphql: ${schema.split('\n').length} lines`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
