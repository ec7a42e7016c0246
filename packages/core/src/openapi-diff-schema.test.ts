import { describe, expect, it } from 'vitest';
import { diffOpenApi } from './openapi-diff.ts';
import { base, changed, only } from './openapi-diff-fixture.ts';

describe('diffOpenApi: schemas', () => {
  it('flags removed enum values and accepts added ones', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        d.paths['/pets'].get.parameters[1].schema.enum = ['asc', 'relevance'];
      }),
    );
    expect(only(diff.changes)).toEqual([
      { level: 'breaking', kind: 'enum.removed', operation: 'GET /pets', location: 'query parameter sort' },
      { level: 'non-breaking', kind: 'enum.added', operation: 'GET /pets', location: 'query parameter sort' },
    ]);
    expect(diff.changes[0]?.message).toContain('"desc"');
  });

  it('flags a request enum constraint added and a response one lifted', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        d.paths['/pets'].get.parameters[0].schema = { type: 'integer', enum: [10, 50] };
        delete d.components.schemas.Pet.properties.status.enum;
      }),
    );
    const kinds = only(diff.changes).map((c) => `${c.level} ${c.kind} ${c.operation}`);
    expect(kinds).toEqual([
      'breaking enum.constrained GET /pets',
      'breaking enum.unconstrained GET /pets',
      'breaking enum.unconstrained GET /pets/{petId}',
    ]);
  });

  it('flags new required request properties and type changes inside $ref schemas', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        const newPet = d.components.schemas.NewPet;
        newPet.required = ['name', 'species', 'nickname'];
        newPet.properties.species = { type: 'string' };
        newPet.properties.age = { type: 'integer' };
        newPet.properties.name = { type: 'integer' };
      }),
    );
    const body = 'request body application/json body';
    expect(only(diff.changes)).toEqual([
      { level: 'breaking', kind: 'type.changed', operation: 'POST /pets', location: `${body}.name` },
      { level: 'breaking', kind: 'property.required', operation: 'POST /pets', location: `${body}.nickname` },
      { level: 'breaking', kind: 'property.added', operation: 'POST /pets', location: `${body}.species` },
      { level: 'non-breaking', kind: 'property.added', operation: 'POST /pets', location: `${body}.age` },
    ]);
  });

  it('judges response properties the other way round from request ones', () => {
    const diff = diffOpenApi(
      base(),
      changed((d) => {
        const pet = d.components.schemas.Pet;
        pet.required = ['id'];
        pet.properties.birthday = { type: 'string' };
        pet.properties.id = { type: ['integer', 'null'] };
        pet.properties.tags.items.properties.label = { type: 'integer' };
      }),
    );
    const body = 'response 200 application/json body';
    const single = diff.changes.filter((c) => c.operation === 'GET /pets/{petId}');
    expect(only(single)).toEqual([
      { level: 'breaking', kind: 'type.changed', operation: 'GET /pets/{petId}', location: `${body}.id` },
      {
        level: 'breaking',
        kind: 'property.optional',
        operation: 'GET /pets/{petId}',
        location: `${body}.name`,
      },
      {
        level: 'breaking',
        kind: 'type.changed',
        operation: 'GET /pets/{petId}',
        location: `${body}.tags[].label`,
      },
      {
        level: 'non-breaking',
        kind: 'property.added',
        operation: 'GET /pets/{petId}',
        location: `${body}.birthday`,
      },
    ]);
    expect(single[1]?.message).toBe(`The property ${body}.name may now be absent`);
    expect(single[0]?.message).toBe(`The type of ${body}.id changed from integer to integer | null`);
    // The list endpoint returns the same schema inside an array: the same changes, one level down.
    expect(diff.changes.filter((c) => c.operation === 'GET /pets').map((c) => c.location)).toEqual([
      'response 200 application/json body[].id',
      'response 200 application/json body[].name',
      'response 200 application/json body[].tags[].label',
      'response 200 application/json body[].birthday',
    ]);
  });

  it('lets a request accept more types but not fewer (nullable included)', () => {
    const widened = changed((d) => {
      d.components.schemas.NewPet.properties.nickname = { type: 'string', nullable: true };
    });
    expect(only(diffOpenApi(base(), widened).changes)).toEqual([
      {
        level: 'non-breaking',
        kind: 'type.changed',
        operation: 'POST /pets',
        location: 'request body application/json body.nickname',
      },
    ]);
    expect(diffOpenApi(widened, base()).changes.map((c) => c.level)).toEqual(['breaking']);
  });

  it('merges allOf members into one object shape', () => {
    const before = changed((d) => {
      d.components.schemas.NewPet = {
        allOf: [
          { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          { type: 'object', properties: { nickname: { type: 'string' } } },
        ],
      };
    });
    // The same shape written flat is no change at all.
    expect(diffOpenApi(before, base()).changes).toEqual([]);
    const after = changed((d) => {
      d.components.schemas.NewPet = {
        allOf: [
          { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          { type: 'object', required: ['nickname'], properties: { nickname: { type: 'string' } } },
        ],
      };
    });
    expect(only(diffOpenApi(before, after).changes)).toEqual([
      {
        level: 'breaking',
        kind: 'property.required',
        operation: 'POST /pets',
        location: 'request body application/json body.nickname',
      },
    ]);
  });

  it('terminates on recursive schemas and still reports changes inside them', () => {
    const tree = (labelType: string) =>
      changed((d) => {
        d.components.schemas.Node = {
          type: 'object',
          properties: {
            label: { type: labelType },
            left: { $ref: '#/components/schemas/Node' },
            right: { $ref: '#/components/schemas/Node' },
          },
        };
        d.paths['/tree'] = {
          get: {
            responses: {
              '200': {
                description: 'ok',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } },
              },
            },
          },
        };
      });
    const started = performance.now();
    const diff = diffOpenApi(tree('string'), tree('integer'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(diff.changes).toEqual([
      expect.objectContaining({
        level: 'breaking',
        kind: 'type.changed',
        operation: 'GET /tree',
        location: 'response 200 application/json body.label',
      }),
    ]);
  });
});
