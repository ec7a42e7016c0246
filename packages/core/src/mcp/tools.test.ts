import { describe, expect, it } from 'vitest';
import { requestForToolCall, toolNameOf, toolsFromOpenApi } from './tools.ts';

const spec = {
  openapi: '3.1.0',
  info: { title: 'Pets', version: '1' },
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        summary: 'List pets',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer' }, description: 'How many' },
          { name: 'tag', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
        ],
        responses: {
          '200': {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/PetList' } } },
          },
        },
      },
      post: {
        operationId: 'create pet!',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
        },
        responses: { '201': { content: { 'application/json': { schema: { type: 'string' } } } } },
      },
    },
    '/pets/{petId}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'getPet',
        parameters: [
          { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
          { name: 'Authorization', in: 'header', schema: { type: 'string' } },
          { name: 'body', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } },
        },
      },
    },
    '/upload': {
      put: {
        requestBody: { content: { 'application/octet-stream': { schema: { type: 'string' } } } },
        responses: {},
      },
    },
    '/nodes/{id}': {
      get: {
        operationId: 'getNode',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      Pet: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, nickname: { type: 'string', nullable: true } },
      },
      PetList: {
        type: 'object',
        properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } },
      },
      Node: { type: 'object', properties: { child: { $ref: '#/components/schemas/Node' } } },
    },
  },
};

describe('toolsFromOpenApi', () => {
  const { tools, problems } = toolsFromOpenApi(spec);
  const byName = new Map(tools.map((t) => [t.name, t]));

  it('makes one tool per JSON-callable operation, named from operationId', () => {
    expect([...byName.keys()].sort()).toEqual(['create_pet', 'getNode', 'getPet', 'listPets']);
    expect(problems).toEqual([{ tool: 'put_upload', message: 'its request body is not JSON' }]);
  });

  it('builds the input schema from parameters and the JSON body, references inlined', () => {
    const list = byName.get('listPets');
    expect(list?.title).toBe('List pets');
    expect(list?.inputSchema.properties).toEqual({
      limit: { type: 'integer', description: 'How many' },
      tag: { type: 'array', items: { type: 'string' } },
    });
    const create = byName.get('create_pet');
    expect(create?.inputSchema.required).toEqual(['body']);
    expect(create?.inputSchema.properties).toMatchObject({
      body: { type: 'object', properties: { nickname: { type: ['string', 'null'] } } },
    });
    expect(create?.outputSchema).toBeUndefined(); // a string answer is not structured output
    expect(list?.outputSchema).toMatchObject({ type: 'object', properties: { items: { type: 'array' } } });
  });

  it('never lets a tool set reserved headers; a parameter named body keeps its own argument', () => {
    const get = byName.get('getPet');
    expect(Object.keys(get?.inputSchema.properties ?? {}).sort()).toEqual(['X-Trace', 'petId', 'query.body']);
    expect(get?.inputSchema.required).toEqual(['petId']);
  });

  it('ends recursive schemas with an open schema', () => {
    expect(byName.get('getNode')?.outputSchema).toEqual({ type: 'object', properties: { child: {} } });
  });

  it('keeps only selected tools', () => {
    expect(toolsFromOpenApi(spec, { select: ['getPet'] }).tools.map((t) => t.name)).toEqual(['getPet']);
  });

  it('survives documents that are not OpenAPI', () => {
    expect(toolsFromOpenApi(null)).toEqual({ tools: [], problems: [] });
    expect(toolsFromOpenApi({ paths: { '/x': { get: 'nope' } } }).tools).toEqual([]);
  });

  it('names operations without an operationId from method and path', () => {
    expect(toolNameOf('get', '/a/{b}/c', undefined)).toBe('get_a_b_c');
  });
});

describe('requestForToolCall', () => {
  const tools = new Map(toolsFromOpenApi(spec).tools.map((t) => [t.name, t]));
  const tool = (name: string) => {
    const found = tools.get(name);
    if (!found) throw new Error(name);
    return found;
  };

  it('builds path, query, headers and body', () => {
    const get = requestForToolCall(tool('getPet'), { petId: 'a b/c', 'X-Trace': 't1', 'query.body': 'q' });
    expect(get).toMatchObject({
      ok: true,
      value: { method: 'GET', path: '/pets/a%20b%2Fc', headers: { 'x-trace': 't1' } },
    });
    if (get.ok) expect(get.value.query.toString()).toBe('body=q');
    const list = requestForToolCall(tool('listPets'), { limit: 5, tag: ['a', 'b'] });
    if (!list.ok) throw new Error('refused');
    expect(list.value.query.toString()).toBe('limit=5&tag=a&tag=b');
    const create = requestForToolCall(tool('create_pet'), { body: { name: 'Rex' } });
    expect(create).toMatchObject({
      ok: true,
      value: { body: '{"name":"Rex"}', headers: { 'content-type': 'application/json' } },
    });
  });

  it('keeps path arguments inside the API: dot segments refused, everything else encoded', () => {
    for (const petId of ['..', '.', '..;x', '.;']) {
      expect(requestForToolCall(tool('getPet'), { petId })).toEqual({
        ok: false,
        error: { field: 'petId', message: "must not be '.' or '..'" },
      });
    }
    for (const petId of ['../admin', '%2e%2e', '..%2f', '/etc/passwd', '..\\x']) {
      const built = requestForToolCall(tool('getPet'), { petId });
      if (!built.ok) throw new Error(petId);
      expect(built.value.path.split('/')).toHaveLength(3);
      expect(built.value.path.startsWith('/pets/')).toBe(true);
      expect(built.value.path).not.toMatch(/\/\.\.?(\/|$)/);
    }
  });

  it('names the argument that does not fit', () => {
    expect(requestForToolCall(tool('getPet'), {})).toEqual({
      ok: false,
      error: { field: 'petId', message: 'is required' },
    });
    expect(requestForToolCall(tool('listPets'), { limit: 'ten' })).toEqual({
      ok: false,
      error: { field: 'limit', message: 'must be an integer' },
    });
    expect(requestForToolCall(tool('listPets'), { nope: 1 })).toEqual({
      ok: false,
      error: { field: 'nope', message: 'is not an argument of this tool' },
    });
    expect(requestForToolCall(tool('create_pet'), {})).toEqual({
      ok: false,
      error: { field: 'body', message: 'is required' },
    });
    expect(requestForToolCall(tool('getPet'), { petId: 'x', 'X-Trace': 'a\r\nb: c' })).toMatchObject({
      ok: false,
      error: { field: 'X-Trace' },
    });
    expect(requestForToolCall(tool('getPet'), [1])).toMatchObject({
      ok: false,
      error: { field: 'arguments' },
    });
  });
});
