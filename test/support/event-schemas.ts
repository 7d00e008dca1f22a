import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { TestApp } from './test-app';

export interface EventSchemaValidator {
  /** Every topic and API version the server publishes a schema for (`order.created@v1`). */
  readonly published: readonly string[];
  /** What is wrong with this webhook body or event against its type's schema; [] when valid. */
  problems(event: unknown): string[];
}

/**
 * The schemas of `GET /v1/event-types`, compiled strictly with a standard JSON Schema 2020-12
 * validator, as a partner validating deliveries would use them.
 */
export async function eventSchemaValidator(app: TestApp): Promise<EventSchemaValidator> {
  const served = await app.request('GET', '/v1/event-types', { token: null });
  if (served.status !== 200) throw new Error(`GET /v1/event-types: ${served.status}`);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  for (const entry of served.body.data as { type: string; apiVersion: string; schema: object }[])
    validators.set(`${entry.type}@${entry.apiVersion}`, ajv.compile(entry.schema));
  return {
    published: [...validators.keys()],
    problems(event) {
      const { type, apiVersion } = (event ?? {}) as { type?: string; apiVersion?: string };
      const validate = validators.get(`${type}@${apiVersion}`);
      if (!validate) return [`no schema for ${type}@${apiVersion}`];
      if (validate(event)) return [];
      return (validate.errors ?? []).map(
        (error) => `${type}: ${error.instancePath} ${error.message}`,
      );
    },
  };
}
