import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiDocument, serializeOpenApiDocument } from '../src/openapi/generate';

/** `npm run openapi`: writes openapi/openapi.json from the code. */
generateOpenApiDocument()
  .then((document) => {
    writeFileSync(
      join(__dirname, '..', '..', 'openapi', 'openapi.json'),
      serializeOpenApiDocument(document),
    );
    console.log(`openapi/openapi.json: ${Object.keys(document.paths).length} paths`);
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
