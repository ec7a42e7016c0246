import type { AiGatewayConfig } from '@portcullis/core/ai-config';
import type { McpToolDef } from '@portcullis/core/mcp/tools';
import { describe, expect, it } from 'vitest';
import type { RouteRecord } from '../config/repository.ts';
import { apiTools, appTools, namespacedName, servesMcpTools } from './catalog.ts';

const tool = (name: string): McpToolDef => ({
  name,
  description: name,
  inputSchema: { type: 'object', properties: {} },
  operation: { method: 'get', pathTemplate: '/x', params: [], bodyArgument: null, bodyRequired: false },
});

const spec = {
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths: {
    '/a': { get: { operationId: 'listA', responses: { '200': { description: 'ok' } } } },
    '/b': { get: { operationId: 'listB', responses: { '200': { description: 'ok' } } } },
  },
};
const route = (overrides: Partial<RouteRecord>) =>
  ({
    openapiSpec: spec,
    mcp: { enabled: true, tools: ['listA'], allowAllTools: false },
    ...overrides,
  }) as RouteRecord;

describe('apiTools', () => {
  it('offers only the operations the provider selected, and nothing while MCP is off', () => {
    expect(apiTools(route({})).map((t) => t.name)).toEqual(['listA']);
    expect(apiTools(route({ mcp: { enabled: true, tools: [], allowAllTools: true } }))).toEqual([]);
    expect(apiTools(route({ mcp: { enabled: false, tools: ['listA'], allowAllTools: false } }))).toEqual([]);
  });

  it('serves tools of REST, AI and prompt APIs; an MCP API is proxied instead', () => {
    expect(servesMcpTools(route({ kind: 'REST' }))).toBe(true);
    expect(servesMcpTools(route({ kind: 'MCP' }))).toBe(false);
    // an AI API whose stored document does not load offers nothing
    expect(servesMcpTools(route({ kind: 'AI', ai: null }))).toBe(false);
  });

  it("offers an AI API's chat tool over the picked routes that still exist, in route order", () => {
    const target = { credentialId: 'c', model: 'm', weight: 1 };
    const gateway = {
      routes: ['fast', 'smart', 'embed'].map((name, i) => ({
        name,
        targets: [target],
        timeoutMs: 1_000 * (i + 1),
        maxAttempts: 2,
      })),
    } as unknown as AiGatewayConfig;
    const ai = (tools: string[]) =>
      route({ kind: 'AI', ai: { kind: 'AI', gateway }, mcp: { enabled: true, tools, allowAllTools: false } });
    const [chat] = apiTools(ai(['smart', 'gone', 'fast']));
    expect(chat?.name).toBe('chat');
    // it waits for the slowest offered route's every attempt, plus the chain's own work
    expect(chat?.ai).toEqual({ kind: 'chat', models: ['fast', 'smart'], timeoutMs: 2 * 2_000 + 5_000 });
    // every picked route renamed or removed: no MCP server at all
    expect(servesMcpTools(ai(['gone']))).toBe(false);
  });
});

describe('appTools', () => {
  it('names tools {apiSlug}.{tool}', () => {
    const offered = appTools([{ orgSlug: 'acme', apiSlug: 'pets', tools: [tool('listPets')] }]);
    expect(offered).toEqual([
      { name: 'pets.listPets', def: tool('listPets'), orgSlug: 'acme', apiSlug: 'pets' },
    ]);
  });

  it('qualifies every API of a shared slug by its org, whatever the order given', () => {
    const a = { orgSlug: 'alpha', apiSlug: 'pets', tools: [tool('list')] };
    const b = { orgSlug: 'beta', apiSlug: 'pets', tools: [tool('list')] };
    const c = { orgSlug: 'gamma', apiSlug: 'zoo', tools: [tool('list')] };
    const names = appTools([c, b, a]).map((t) => [t.orgSlug, t.name]);
    expect(names).toEqual([
      ['alpha', 'alpha.pets.list'],
      ['beta', 'beta.pets.list'],
      ['gamma', 'zoo.list'],
    ]);
    expect(appTools([a, b, c])).toEqual(appTools([c, b, a]));
  });

  it("qualifies a plain name that spells another org's qualified one, not the org's", () => {
    // org evil's API `alpha` with tool `pets.list` would be `alpha.pets.list`, alpha's own name
    const offered = appTools([
      { orgSlug: 'alpha', apiSlug: 'pets', tools: [tool('list')] },
      { orgSlug: 'beta', apiSlug: 'pets', tools: [tool('list')] },
      { orgSlug: 'evil', apiSlug: 'alpha', tools: [tool('pets.list')] },
    ]);
    expect(offered.map((t) => [t.orgSlug, t.name])).toEqual([
      ['alpha', 'alpha.pets.list'],
      ['beta', 'beta.pets.list'],
      ['evil', 'evil.alpha.pets.list'],
    ]);
  });

  it('keeps names within 128 characters, distinct for long tools sharing a prefix', () => {
    const slug = 's'.repeat(100);
    const first = namespacedName(slug, `${'t'.repeat(100)}1`);
    const second = namespacedName(slug, `${'t'.repeat(100)}2`);
    expect(first.length).toBeLessThanOrEqual(128);
    expect(first).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(first).not.toBe(second);
    expect(namespacedName('pets', 'list')).toBe('pets.list');
  });
});
