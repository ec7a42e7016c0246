import { describe, expect, it } from 'vitest';
import { toolsFromOpenApi } from './tools.ts';

/**
 * A tenant's OpenAPI document is read by the shared gateway (first tools/list or tools/call after every
 * config change) on its event loop: building its tools must stay cheap and small whatever the document.
 */

/** 2^20 leaves behind one `$ref`; each resolveSchema call stops at its node budget. */
const fanOutSchemas = () => {
  const schemas: Record<string, unknown> = { B20: { type: 'string' } };
  for (let k = 0; k < 20; k++) {
    const next = { $ref: `#/components/schemas/B${k + 1}` };
    schemas[`B${k}`] = { type: 'object', properties: { a: next, b: next } };
  }
  return schemas;
};

describe('toolsFromOpenApi on a hostile document', () => {
  it('does not spend seconds on paths whose operations were not selected', () => {
    // ~5 KB of JSON: 100 paths all pointing at one path item whose parameter fans out
    const paths: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) paths[`/p${i}`] = { $ref: '#/components/pathItems/X' };
    paths['/wanted'] = { get: { operationId: 'wanted', responses: {} } };
    const spec = {
      openapi: '3.1.0',
      info: { title: 'bomb', version: '1' },
      paths,
      components: {
        schemas: fanOutSchemas(),
        pathItems: {
          X: {
            get: {
              operationId: 'other',
              parameters: [{ name: 'q', in: 'query', schema: { $ref: '#/components/schemas/B0' } }],
              responses: {},
            },
          },
        },
      },
    };
    expect(JSON.stringify(spec).length).toBeLessThan(10_000);
    const started = performance.now();
    const { tools } = toolsFromOpenApi(spec, { select: ['wanted'] });
    const elapsed = performance.now() - started;
    expect(tools.map((t) => t.name)).toEqual(['wanted']);
    // the 1 MB a document may be would take minutes at the same rate, blocking every tenant's traffic
    expect(elapsed).toBeLessThan(1_000);
  }, 120_000);

  it("keeps one tool's input schema small, whatever its parameters reference", () => {
    const parameters = [{ name: 'q', in: 'query', schema: { $ref: '#/components/schemas/B0' } }];
    const spec = {
      openapi: '3.1.0',
      info: { title: 'bomb', version: '1' },
      paths: { '/x': { get: { operationId: 'big', parameters, responses: {} } } },
      components: { schemas: fanOutSchemas() },
    };
    const { tools } = toolsFromOpenApi(spec, { select: ['big'] });
    // ~330 KB today; tools/list sends (and the SDK re-validates) up to 500 of them on every unmetered call
    expect(JSON.stringify(tools[0]?.inputSchema).length).toBeLessThan(64 * 1024);
  }, 120_000);
});

describe('header arguments of a hostile document', () => {
  it("never carry the gateway's own x-portcullis-* headers", () => {
    const parameters = ['X-Portcullis-Client-Ip', 'x-portcullis-mcp-tool', 'X-Portcullis-Internal'].map(
      (name) => ({ name, in: 'header', schema: { type: 'string' } }),
    );
    const spec = {
      openapi: '3.1.0',
      info: { title: 'forge', version: '1' },
      paths: { '/x': { get: { operationId: 'forge', parameters, responses: {} } } },
    };
    const [tool] = toolsFromOpenApi(spec).tools;
    // with no client address known the loopback sets no client-ip header, and this one would stand in
    expect(Object.keys(tool?.inputSchema.properties ?? {})).toEqual([]);
  });
});
