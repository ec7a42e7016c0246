import { z } from 'zod';
import type { Endpoint } from './endpoint';

type JsonSchema = Record<string, unknown>;

/** JSON Schema of what a client sends: defaults optional, transforms described by their input side. */
export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function outputJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function parametersOf(schema: z.ZodObject<z.ZodRawShape> | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = inputJsonSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const problemAnswer = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: PROBLEM } },
});

/** The OpenAPI 3.1 document of `endpoints`, generated from the same zod schemas the handlers parse with. */
export function openApiDocument(endpoints: readonly Endpoint[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const operations = paths[endpoint.path] ?? {};
    paths[endpoint.path] = operations;
    operations[endpoint.method.toLowerCase()] = {
      operationId: endpoint.id,
      summary: endpoint.summary,
      tags: [endpoint.id.split('.')[0]],
      description: `Scope \`${endpoint.scope}\`; the token's role needs \`${endpoint.permission}\`.`,
      security: [{ bearer: [endpoint.scope] }],
      parameters: [...parametersOf(endpoint.params, 'path'), ...parametersOf(endpoint.query, 'query')],
      ...(endpoint.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: inputJsonSchema(endpoint.body) } },
            },
          }
        : {}),
      responses: {
        [String(endpoint.status ?? 200)]: {
          description: 'Success',
          content: { 'application/json': { schema: outputJsonSchema(endpoint.output) } },
        },
        '400': problemAnswer('Invalid JSON or input; `errors` names each field'),
        '401': problemAnswer('Missing, unknown, revoked or expired token'),
        '403': problemAnswer('The token lacks the scope, or its role lacks the permission'),
        '404': problemAnswer("Not found (also another org's resource)"),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis management API',
      version: 'v1',
      description:
        'Everything a tenant admin does in the portal, for automation. Authenticate with an org API token: `Authorization: Bearer pcm_…`.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An org API token (pcm_…) from the API tokens page',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            errors: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
  };
}
