import { describe, expect, it } from 'vitest';
import { exampleValue, readOpenApi, schemaRows, typeLabel } from './openapi-model';

const spec = {
  openapi: '3.1.0',
  info: { title: 'Pets', version: '2.0', description: 'All the pets.' },
  servers: [{ url: 'https://pets.example.com' }],
  tags: [{ name: 'pets', description: 'Pet operations' }, { name: 'unused' }],
  paths: {
    '/pets': {
      get: {
        tags: ['pets'],
        summary: 'List pets',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', default: 20 } },
          { name: 'x-trace', in: 'header', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'A page of pets',
            content: {
              'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } },
            },
          },
        },
      },
      post: {
        tags: ['pets'],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Pet' },
              examples: { rex: { value: { id: 7, name: 'Rex' } } },
            },
          },
        },
        responses: { '201': { description: 'Created' } },
      },
    },
    '/pets/{petId}': {
      parameters: [{ $ref: '#/components/parameters/PetId' }],
      get: { deprecated: true, responses: { '404': { $ref: '#/components/responses/NotFound' } } },
    },
    '/health': { get: { responses: { '200': { description: 'ok' } } } },
  },
  components: {
    parameters: {
      PetId: { name: 'petId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } },
    },
    responses: { NotFound: { description: 'No such pet' } },
    schemas: {
      Pet: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: { type: 'integer', format: 'int64' },
          name: { type: 'string', description: 'What the pet answers to' },
          status: { type: 'string', enum: ['available', 'sold'] },
          owner: { $ref: '#/components/schemas/Person' },
          born: { type: ['string', 'null'], format: 'date' },
        },
      },
      Person: {
        type: 'object',
        properties: {
          email: { type: 'string', format: 'email' },
          pets: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
        },
      },
    },
  },
};

describe('readOpenApi', () => {
  it('groups operations by tag (untagged under "default"), in document order', () => {
    const doc = readOpenApi(spec);
    expect(doc).toMatchObject({ title: 'Pets', version: '2.0', servers: ['https://pets.example.com'] });
    expect(doc?.groups.map((g) => [g.tag, g.description, g.operations.map((o) => o.id)])).toEqual([
      ['pets', 'Pet operations', ['get-pets', 'post-pets']],
      ['default', '', ['get-pets-petid', 'get-health']],
    ]);
    expect(doc?.operations).toHaveLength(4);
  });

  it('merges path-level parameters, follows $refs and orders path before query before header', () => {
    const doc = readOpenApi(spec);
    const single = doc?.operations.find((o) => o.id === 'get-pets-petid');
    expect(single).toMatchObject({
      deprecated: true,
      parameters: [{ name: 'petId', in: 'path', required: true, type: 'integer (int64)' }],
      responses: [{ code: '404', description: 'No such pet', contents: [] }],
    });
    const list = doc?.operations.find((o) => o.id === 'get-pets');
    expect(list?.parameters.map((p) => [p.in, p.name, p.required, p.example])).toEqual([
      ['query', 'limit', false, '20'],
      ['header', 'x-trace', false, null],
    ]);
  });

  it('uses given examples first and makes one up from the schema otherwise', () => {
    const doc = readOpenApi(spec);
    const create = doc?.operations.find((o) => o.id === 'post-pets');
    expect(create?.requestBody).toMatchObject({ required: true });
    expect(JSON.parse(create?.requestBody?.contents[0]?.example ?? 'null')).toEqual({ id: 7, name: 'Rex' });
    const list = doc?.operations.find((o) => o.id === 'get-pets');
    const generated = JSON.parse(list?.responses[0]?.contents[0]?.example ?? 'null');
    expect(generated).toEqual([
      {
        id: 0,
        name: 'string',
        status: 'available',
        // The recursion back into Pet is cut, not followed forever.
        owner: { email: 'user@example.com', pets: [] },
        born: '2026-01-01',
      },
    ]);
  });

  it('refuses what is not an OpenAPI document', () => {
    expect(readOpenApi(null)).toBeNull();
    expect(readOpenApi({ openapi: '3.1.0' })).toBeNull();
    expect(readOpenApi('paths')).toBeNull();
  });
});

describe('schemaRows', () => {
  it('indents nested properties, marks required ones and stops at recursion', () => {
    const rows = schemaRows(spec, { $ref: '#/components/schemas/Pet' });
    expect(rows.map((r) => [r.key, r.depth, r.type, r.required])).toEqual([
      ['id', 0, 'integer (int64)', true],
      ['name', 0, 'string', true],
      ['status', 0, 'string', false],
      ['owner', 0, 'Person', false],
      ['owner.email', 1, 'string (email)', false],
      ['owner.pets', 1, 'array of Pet', false],
      ['born', 0, 'string | null (date)', false],
    ]);
    expect(rows.find((r) => r.key === 'status')?.enumValues).toEqual(['"available"', '"sold"']);
    expect(rows.find((r) => r.key === 'name')?.description).toBe('What the pet answers to');
  });

  it('merges allOf and steps into array items', () => {
    const rows = schemaRows(
      {},
      {
        type: 'array',
        items: {
          allOf: [
            { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
            { type: 'object', properties: { b: { type: 'boolean' } } },
          ],
        },
      },
    );
    expect(rows.map((r) => [r.key, r.required, r.type])).toEqual([
      ['a', true, 'string'],
      ['b', false, 'boolean'],
    ]);
  });
});

describe('typeLabel and exampleValue', () => {
  it('names types for people', () => {
    expect(typeLabel(spec, { type: 'string', nullable: true })).toBe('string | null');
    expect(typeLabel(spec, { oneOf: [{ type: 'string' }, { type: 'integer' }] })).toBe(
      'one of string | integer',
    );
    expect(typeLabel(spec, {})).toBe('any');
    expect(typeLabel(spec, { $ref: '#/nope' })).toBe('any');
  });

  it('prefers example, then default, then the first enum value', () => {
    expect(exampleValue({}, { type: 'integer', example: 5, default: 1 })).toBe(5);
    expect(exampleValue({}, { type: 'integer', default: 1 })).toBe(1);
    expect(exampleValue({}, { type: 'string', enum: ['b', 'a'] })).toBe('b');
    expect(exampleValue({}, { type: 'integer', minimum: 3 })).toBe(3);
    expect(exampleValue({}, { type: 'string', format: 'date-time' })).toBe('2026-01-01T12:00:00Z');
  });
});
