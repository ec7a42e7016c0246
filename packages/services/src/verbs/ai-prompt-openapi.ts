import type { PromptConfig } from '@portcullis/core/ai-config';

/**
 * The OpenAPI 3.1 document of a prompt API: one operation, `POST /v1/run`, whose request body is the
 * prompt's input schema and whose answer carries the output (the output schema when there is one, else
 * the model's text), the model that answered and the token usage. Stored as Api.openapiSpec so the
 * catalog renders docs for it like for any REST API.
 */

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
  },
} as const;

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function promptOpenApiDocument(
  api: { name: string; description: string; version: string },
  prompt: Pick<PromptConfig, 'inputSchema' | 'outputSchema'>,
): Record<string, unknown> {
  const output = prompt.outputSchema ?? { type: 'string', description: "The model's answer as text" };
  return {
    openapi: '3.1.0',
    info: {
      title: api.name,
      version: api.version,
      ...(api.description ? { description: api.description } : {}),
    },
    security: [{ apiKey: [] }],
    paths: {
      '/v1/run': {
        post: {
          operationId: 'run',
          summary: 'Run the prompt',
          description:
            'Send the template variables as a JSON object; the answer holds the output, the model that answered and the token usage.',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: prompt.inputSchema } },
          },
          responses: {
            '200': {
              description: 'The model answered',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['output', 'model', 'usage'],
                    properties: {
                      output,
                      model: { type: 'string' },
                      usage: { $ref: '#/components/schemas/Usage' },
                    },
                  },
                },
              },
            },
            '400': problemResponse('The variables do not match the input schema'),
            '401': problemResponse('Missing, unknown, revoked or expired API key'),
            '429': problemResponse(
              'Rate limit, quota, token limit (`token_limit_exceeded`) or budget (`budget_exceeded`) exhausted',
            ),
            '502': problemResponse('The model call failed, or the answer does not match the output schema'),
            '504': problemResponse('The model did not answer in time'),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Your API key (pk_live_…)' },
      },
      schemas: {
        Usage: {
          type: 'object',
          properties: {
            prompt_tokens: { type: 'integer' },
            completion_tokens: { type: 'integer' },
            total_tokens: { type: 'integer' },
            estimated: { type: 'boolean', description: 'true when a tokenizer estimated the counts' },
          },
        },
        Problem: PROBLEM,
      },
    },
  };
}
