import { describe, expect, it } from 'vitest';
import { diffOpenApi } from './openapi-diff.ts';
import { base, changed, only } from './openapi-diff-fixture.ts';

describe('diffOpenApi: operations, parameters, bodies, responses', () => {
  it('finds nothing between identical documents', () => {
    expect(diffOpenApi(base(), base())).toEqual({ changes: [], breaking: 0, nonBreaking: 0 });
  });

  it('flags a removed path and a removed operation as breaking, added ones as not', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        delete d.paths['/pets/{petId}'].delete;
        delete d.paths['/pets'];
        d.paths['/stores'] = { get: { responses: { '200': { description: 'ok' } } } };
        d.paths['/pets/{petId}'].put = { responses: { '200': { description: 'ok' } } };
      }),
    );
    expect(only(diff.changes)).toEqual([
      { level: 'breaking', kind: 'operation.removed', operation: 'DELETE /pets/{petId}', location: '' },
      { level: 'breaking', kind: 'operation.removed', operation: 'GET /pets', location: '' },
      { level: 'breaking', kind: 'operation.removed', operation: 'POST /pets', location: '' },
      { level: 'non-breaking', kind: 'operation.added', operation: 'GET /stores', location: '' },
      { level: 'non-breaking', kind: 'operation.added', operation: 'PUT /pets/{petId}', location: '' },
    ]);
    expect(diff.breaking).toBe(3);
    expect(diff.nonBreaking).toBe(2);
  });

  it('treats a renamed path parameter as the same route', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        const item = d.paths['/pets/{petId}'];
        item.parameters[0].name = 'id';
        d.paths['/pets/{id}'] = item;
        delete d.paths['/pets/{petId}'];
      }),
    );
    expect(diff.changes).toEqual([]);
  });

  it('flags removed and newly required parameters, and accepts optional additions', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        const get = d.paths['/pets'].get;
        get.parameters = [
          { name: 'limit', in: 'query', required: true, schema: { type: 'integer' } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' } },
        ];
      }),
    );
    expect(only(diff.changes)).toEqual([
      {
        level: 'breaking',
        kind: 'parameter.added',
        operation: 'GET /pets',
        location: 'header parameter X-Tenant',
      },
      {
        level: 'breaking',
        kind: 'parameter.required',
        operation: 'GET /pets',
        location: 'query parameter limit',
      },
      {
        level: 'breaking',
        kind: 'parameter.removed',
        operation: 'GET /pets',
        location: 'query parameter sort',
      },
      {
        level: 'non-breaking',
        kind: 'parameter.added',
        operation: 'GET /pets',
        location: 'query parameter cursor',
      },
    ]);
  });

  it('lets a required parameter become optional', () => {
    const diff = diffOpenApi(
      changed((d) => {
        d.paths['/pets'].get.parameters[0].required = true;
      }),
      base(),
    );
    expect(only(diff.changes)).toEqual([
      {
        level: 'non-breaking',
        kind: 'parameter.optional',
        operation: 'GET /pets',
        location: 'query parameter limit',
      },
    ]);
  });

  it('flags a parameter type change, and matches header names case-insensitively', () => {
    const before = changed((d) => {
      d.paths['/pets'].get.parameters.push({ name: 'x-trace', in: 'header', schema: { type: 'string' } });
    });
    const after = changed((d) => {
      d.paths['/pets'].get.parameters[0].schema = { type: 'string' };
      d.paths['/pets'].get.parameters.push({ name: 'X-Trace', in: 'header', schema: { type: 'string' } });
    });
    const diff = diffOpenApi(before, after);
    expect(only(diff.changes)).toEqual([
      { level: 'breaking', kind: 'type.changed', operation: 'GET /pets', location: 'query parameter limit' },
    ]);
    expect(diff.changes[0]?.message).toBe('The type of query parameter limit changed from integer to string');
  });

  it('flags path-level parameter changes on every operation of the path', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        d.paths['/pets/{petId}'].parameters[0].schema = { type: 'string', format: 'uuid' };
      }),
    );
    expect(only(diff.changes)).toEqual([
      {
        level: 'breaking',
        kind: 'type.changed',
        operation: 'DELETE /pets/{petId}',
        location: 'path parameter petId',
      },
      {
        level: 'breaking',
        kind: 'type.changed',
        operation: 'GET /pets/{petId}',
        location: 'path parameter petId',
      },
    ]);
  });

  it('flags a request body that becomes required or appears as required', () => {
    const optionalBefore = changed((d) => {
      d.paths['/pets'].post.requestBody.required = false;
    });
    expect(only(diffOpenApi(optionalBefore, base()).changes)).toEqual([
      { level: 'breaking', kind: 'requestBody.required', operation: 'POST /pets', location: 'request body' },
    ]);
    expect(only(diffOpenApi(base(), optionalBefore).changes)).toEqual([
      {
        level: 'non-breaking',
        kind: 'requestBody.optional',
        operation: 'POST /pets',
        location: 'request body',
      },
    ]);
    const noBody = changed((d) => {
      delete d.paths['/pets'].post.requestBody;
    });
    expect(only(diffOpenApi(noBody, base()).changes)).toEqual([
      { level: 'breaking', kind: 'requestBody.required', operation: 'POST /pets', location: 'request body' },
    ]);
    expect(only(diffOpenApi(noBody, optionalBefore).changes)).toEqual([
      { level: 'non-breaking', kind: 'requestBody.added', operation: 'POST /pets', location: 'request body' },
    ]);
    expect(only(diffOpenApi(base(), noBody).changes)).toEqual([
      { level: 'breaking', kind: 'requestBody.removed', operation: 'POST /pets', location: 'request body' },
    ]);
  });

  it('flags removed response codes, media types and response properties', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        delete d.paths['/pets/{petId}'].get.responses['404'];
        d.paths['/pets/{petId}'].get.responses['200'].content = {
          'application/xml': { schema: { $ref: '#/components/schemas/Pet' } },
        };
        d.paths['/pets'].post.responses['409'] = { description: 'conflict' };
        delete d.components.schemas.Pet.properties.tags;
      }),
    );
    const single = 'GET /pets/{petId}';
    expect(only(diff.changes)).toEqual([
      {
        level: 'breaking',
        kind: 'property.removed',
        operation: 'GET /pets',
        location: 'response 200 application/json body[].tags',
      },
      {
        level: 'breaking',
        kind: 'mediaType.removed',
        operation: single,
        location: 'response 200 application/json',
      },
      { level: 'breaking', kind: 'response.removed', operation: single, location: 'response 404' },
      {
        level: 'non-breaking',
        kind: 'mediaType.added',
        operation: single,
        location: 'response 200 application/xml',
      },
      { level: 'non-breaking', kind: 'response.added', operation: 'POST /pets', location: 'response 409' },
    ]);
  });

  it('follows $refs to responses, parameters and request bodies in components', () => {
    const withRefs = (limitType: string) =>
      changed((d) => {
        d.components.parameters = { Limit: { name: 'limit', in: 'query', schema: { type: limitType } } };
        d.components.requestBodies = {
          NewPet: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } },
          },
        };
        d.components.responses = { NotFound: { description: 'missing' } };
        d.paths['/pets'].get.parameters[0] = { $ref: '#/components/parameters/Limit' };
        d.paths['/pets'].post.requestBody = { $ref: '#/components/requestBodies/NewPet' };
        d.paths['/pets/{petId}'].get.responses['404'] = { $ref: '#/components/responses/NotFound' };
      });
    expect(diffOpenApi(base(), withRefs('integer')).changes).toEqual([]);
    expect(only(diffOpenApi(withRefs('integer'), withRefs('boolean')).changes)).toEqual([
      { level: 'breaking', kind: 'type.changed', operation: 'GET /pets', location: 'query parameter limit' },
    ]);
  });

  it('notes a newly deprecated operation without calling it breaking', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        d.paths['/pets'].get.deprecated = true;
      }),
    );
    expect(only(diff.changes)).toEqual([
      { level: 'non-breaking', kind: 'operation.deprecated', operation: 'GET /pets', location: '' },
    ]);
  });

  it('treats a missing or malformed document as empty', () => {
    const fromNothing = diffOpenApi(null, base());
    expect(fromNothing.breaking).toBe(0);
    expect(fromNothing.nonBreaking).toBe(4);
    const toNothing = diffOpenApi(base(), { openapi: '3.0.0', paths: 'nope' });
    expect(toNothing.breaking).toBe(4);
    expect(diffOpenApi(undefined, 42).changes).toEqual([]);
  });

  it('ignores unresolvable and external $refs instead of failing', () => {
    const diff = diffOpenApi(
      changed((d) => {
        d.paths['/pets'].get.parameters.push({ $ref: 'other.yaml#/Limit' });
        d.paths['/pets'].post.requestBody.content['application/json'].schema = {
          $ref: '#/components/schemas/Missing',
        };
      }),
      base(),
    );
    expect(diff.changes).toEqual([]);
  });
});
