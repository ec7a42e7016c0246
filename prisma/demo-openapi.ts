/**
 * The OpenAPI document of the demo Echo API (scripts/lib/echo-upstream.ts): what the catalog's API
 * reference shows and tries on a fresh `npm start`. The echo answers every path; these are the ones
 * worth showing.
 */
const echoResponse = {
  description: 'What the echo received',
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/Echo' },
      example: {
        service: 'portcullis-echo',
        method: 'GET',
        path: '/hello',
        query: { name: 'Ada' },
        headers: { accept: 'application/json' },
        bodyBytes: 0,
        at: '2026-01-01T12:00:00.000Z',
      },
    },
  },
};

export const DEMO_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Echo',
    version: '1.0.0',
    description:
      'Answers every request with a JSON description of it: method, path, query, headers and body size. Handy for seeing what the gateway forwards.',
  },
  tags: [
    { name: 'echo', description: 'Requests described back' },
    { name: 'streaming', description: 'Large responses' },
  ],
  paths: {
    '/hello': {
      get: {
        tags: ['echo'],
        operationId: 'hello',
        summary: 'Say hello',
        description: 'Echoes the query string back under `query`.',
        parameters: [
          { name: 'name', in: 'query', required: false, schema: { type: 'string', example: 'Ada' } },
          {
            name: 'lang',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['en', 'fr', 'de'], default: 'en' },
          },
        ],
        responses: { '200': echoResponse },
      },
    },
    '/items/{itemId}': {
      get: {
        tags: ['echo'],
        operationId: 'getItem',
        summary: 'Fetch an item',
        description: 'The path parameter shows up in `path`, the query string in `query`.',
        parameters: [
          { name: 'itemId', in: 'path', required: true, schema: { type: 'string', example: '42' } },
          { name: 'expand', in: 'query', required: false, schema: { type: 'boolean' } },
        ],
        responses: { '200': echoResponse },
      },
    },
    '/messages': {
      post: {
        tags: ['echo'],
        operationId: 'postMessage',
        summary: 'Send a message',
        description: 'The echo counts the body bytes it received (`bodyBytes`).',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['text'],
                properties: { text: { type: 'string', maxLength: 1000 }, to: { type: 'string' } },
              },
              example: { text: 'Hello through the gateway', to: 'echo' },
            },
          },
        },
        responses: { '200': echoResponse },
      },
    },
    '/bytes/{n}': {
      get: {
        tags: ['streaming'],
        operationId: 'bytes',
        summary: 'Stream n bytes',
        parameters: [
          {
            name: 'n',
            in: 'path',
            required: true,
            schema: { type: 'integer', minimum: 0, maximum: 1073741824, example: 1024 },
          },
        ],
        responses: {
          '200': {
            description: 'n bytes of the letter a',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Echo: {
        type: 'object',
        required: ['service', 'method', 'path', 'query', 'headers', 'bodyBytes', 'at'],
        properties: {
          service: { type: 'string', const: 'portcullis-echo' },
          method: { type: 'string' },
          path: { type: 'string', description: 'The path the upstream received' },
          query: { type: 'object', additionalProperties: { type: 'string' } },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          bodyBytes: { type: 'integer', minimum: 0 },
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;
