import type { FieldError } from '../../http/problem.ts';
import { RequestValidator } from '../../policies/openapi-validate.ts';

/*
 * JSON Schema checks of AI texts (a prompt's input and output schemas, the guardrails' json_schema rule)
 * with the gateway's OpenAPI request validator: the schema becomes the request body of a one-operation
 * OpenAPI 3.1 document, so its patterns run on the same linear-time engine as every tenant pattern.
 */

const CHECK_PATH = '/v1/run';

/** Compiles a JSON schema; throws with the validator's message when it does not compile. */
export function schemaValidator(schema: Record<string, unknown>): RequestValidator {
  const spec = {
    openapi: '3.1.0',
    info: { title: 'prompt', version: '1' },
    paths: {
      [CHECK_PATH]: {
        post: { requestBody: { required: true, content: { 'application/json': { schema } } } },
      },
    },
  };
  const built = RequestValidator.fromSpec(spec);
  if (!built.ok) throw new Error(built.error);
  return built.value;
}

/** What in `body` (JSON text) breaks the schema; empty when it satisfies it. */
export function validateJsonText(validator: RequestValidator, body: Buffer): FieldError[] {
  const match = validator.match('POST', CHECK_PATH);
  return match ? validator.validateBody(match, body) : [];
}

const compiled = new WeakMap<Record<string, unknown>, RequestValidator | string>();

/** The validator of a schema object of a loaded config (compiled once), or why it does not compile. */
export function cachedSchemaValidator(schema: Record<string, unknown>): RequestValidator | string {
  let found = compiled.get(schema);
  if (found === undefined) {
    try {
      found = schemaValidator(schema);
    } catch (error) {
      found = String(error instanceof Error ? error.message : error);
    }
    compiled.set(schema, found);
  }
  return found;
}
