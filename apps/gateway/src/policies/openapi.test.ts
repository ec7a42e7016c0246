import { describe, expect, it } from 'vitest';
import { OperationMatcher } from './openapi-match.ts';
import { RequestValidator } from './openapi-validate.ts';

const petSpec = {
  openapi: '3.0.3',
  info: { title: 'pets', version: '1' },
  paths: {
    '/pets': {
      get: {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
          { name: 'x-tenant', in: 'header', required: true, schema: { type: 'string', minLength: 2 } },
        ],
      },
      post: {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } },
        },
      },
    },
    '/pets/{petId}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
      get: {},
    },
    '/pets/mine': { get: {} },
  },
  components: {
    schemas: {
      NewPet: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', nullable: true },
          age: { type: 'number', minimum: 0, maximum: 50, exclusiveMaximum: true },
          email: { type: 'string', format: 'email' },
        },
      },
    },
  },
};

const validator = () => {
  const built = RequestValidator.fromSpec(petSpec);
  if (!built.ok) throw new Error(built.error);
  return built.value;
};

describe('OperationMatcher', () => {
  const matcher = new OperationMatcher(petSpec);
  it('matches templates, preferring literal segments, and decodes path parameters', () => {
    expect(matcher.match('GET', '/pets/mine')?.operation.id).toBe('GET /pets/mine');
    expect(matcher.match('GET', '/pets/4%32')).toMatchObject({
      operation: { id: 'GET /pets/{petId}' },
      pathParams: { petId: '42' },
    });
    expect(matcher.match('HEAD', '/pets')?.operation.id).toBe('GET /pets');
  });
  it('returns null for unknown paths and methods', () => {
    expect(matcher.match('DELETE', '/pets')).toBeNull();
    expect(matcher.match('GET', '/owners')).toBeNull();
    expect(matcher.match('GET', '/pets/')).toBeNull();
    expect(matcher.match('GET', '/pets/1/x')).toBeNull();
  });
  it('strips a server base path', () => {
    const withServer = new OperationMatcher({ ...petSpec, servers: [{ url: 'https://api.test/v1/' }] });
    expect(withServer.match('GET', '/v1/pets/7')?.pathParams).toEqual({ petId: '7' });
    expect(withServer.match('GET', '/pets/7')?.pathParams).toEqual({ petId: '7' });
  });
});

describe('RequestValidator', () => {
  it('refuses documents that are not OpenAPI 3.0/3.1', () => {
    expect(RequestValidator.fromSpec({ swagger: '2.0' }).ok).toBe(false);
    expect(RequestValidator.fromSpec({ openapi: '4.0.0' }).ok).toBe(false);
    expect(RequestValidator.fromSpec({ openapi: '3.1.0', paths: {} }).ok).toBe(true);
  });
  it('coerces and validates query, header and path parameters, naming the field', () => {
    const v = validator();
    const list = v.match('GET', '/pets');
    if (!list) throw new Error('no match');
    expect(v.validateParameters(list, 'limit=10&tags=a&tags=b', { 'x-tenant': 'acme' })).toEqual([]);
    expect(v.validateParameters(list, 'limit=500', { 'x-tenant': 'acme' })).toEqual([
      { in: 'query', name: 'limit', message: 'must be <= 100' },
    ]);
    expect(v.validateParameters(list, 'limit=abc', {})).toEqual([
      { in: 'query', name: 'limit', message: 'must be integer' },
      { in: 'header', name: 'x-tenant', message: 'is required' },
    ]);
    const one = v.match('GET', '/pets/abc');
    if (!one) throw new Error('no match');
    expect(v.validateParameters(one, '', {})).toEqual([
      { in: 'path', name: 'petId', message: 'must be integer' },
    ]);
  });
  it('validates JSON bodies through component references (3.0 nullable and exclusive bounds)', () => {
    const v = validator();
    const create = v.match('POST', '/pets');
    if (!create) throw new Error('no match');
    expect(v.wantsJsonBody(create)).toBe(true);
    expect(v.validateBody(create, Buffer.from('{"name":null,"age":49}'))).toEqual([]);
    expect(v.validateBody(create, Buffer.from('{"age":50,"email":"nope"}'))).toEqual([
      { in: 'body', name: '/name', message: expect.any(String) },
      { in: 'body', name: '/age', message: 'must be < 50' },
      { in: 'body', name: '/email', message: 'must match format "email"' },
    ]);
    expect(v.validateBody(create, Buffer.from('{'))).toEqual([
      { in: 'body', name: '', message: 'is not valid JSON' },
    ]);
    expect(v.validateBody(create, null)).toEqual([
      { in: 'body', name: '', message: 'request body is required' },
    ]);
  });
});
