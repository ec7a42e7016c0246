import type { SpecChange } from './openapi-diff.ts';

/** A small pet store for the diff tests; every test changes one thing of it. */

export type Doc = Record<string, unknown>;

const petSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['available', 'sold'] },
    tags: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' } } } },
  },
};

export function base(): Doc {
  return {
    openapi: '3.1.0',
    info: { title: 'Pets', version: '1' },
    paths: {
      '/pets': {
        get: {
          tags: ['pets'],
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer' } },
            { name: 'sort', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
          ],
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': {
                  schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
                },
              },
            },
          },
        },
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } },
          },
          responses: { '201': { description: 'created' }, '400': { description: 'bad' } },
        },
      },
      '/pets/{petId}': {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        get: {
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
            },
            '404': { description: 'missing' },
          },
        },
        delete: { responses: { '204': { description: 'gone' } } },
      },
    },
    components: {
      schemas: {
        Pet: petSchema,
        NewPet: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, nickname: { type: 'string' } },
        },
      },
    },
  };
}

/** A deep copy of the base document, changed by `edit`. */
// biome-ignore lint/suspicious/noExplicitAny: tests edit deep, untyped OpenAPI documents freely
type Editable = Doc & { paths: Record<string, any>; components: any };

export function changed(edit: (doc: Editable) => void): Doc {
  const doc = structuredClone(base()) as Editable;
  edit(doc);
  return doc;
}

export const only = (changes: SpecChange[]) =>
  changes.map(({ level, kind, operation, location }) => ({ level, kind, operation, location }));
