import { ZApiMcpConfig } from '@portcullis/core/mcp/config';
import { describe, expect, it } from 'vitest';
import { filterToolsJson, toolAllowed, toolPolicy, withoutHiddenTools } from './tools.ts';

const listing = (names: string[]) => ({
  jsonrpc: '2.0',
  id: 1,
  result: { tools: names.map((name) => ({ name, inputSchema: { type: 'object' } })), nextCursor: 'c' },
});

describe('tool allow-list', () => {
  const policy = toolPolicy(ZApiMcpConfig.parse({ tools: ['echo', 'add'] }));

  it('allows the listed tools only, or every tool with allowAllTools', () => {
    expect(toolAllowed(policy, 'echo')).toBe(true);
    expect(toolAllowed(policy, 'secret')).toBe(false);
    expect(toolAllowed(policy, 'Echo')).toBe(false);
    expect(toolAllowed(toolPolicy(ZApiMcpConfig.parse({ allowAllTools: true })), 'secret')).toBe(true);
    expect(toolAllowed(toolPolicy(undefined), 'echo')).toBe(false);
  });

  it('drops hidden tools from a tools/list result and keeps the rest of it', () => {
    expect(withoutHiddenTools(listing(['echo', 'secret', 'add']), policy)).toEqual(listing(['echo', 'add']));
    expect(withoutHiddenTools(listing(['echo']), policy)).toBeNull(); // nothing to drop
    expect(withoutHiddenTools({ jsonrpc: '2.0', id: 1, result: { content: [] } }, policy)).toBeNull();
    const odd = { jsonrpc: '2.0', id: 1, result: { tools: ['echo', { name: 7 }, null] } };
    expect(withoutHiddenTools(odd, policy)).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [] } });
  });

  it('filters serialized messages, leaving what is not JSON alone', () => {
    const filtered = filterToolsJson(JSON.stringify(listing(['secret', 'add'])), policy);
    expect(JSON.parse(filtered ?? 'null')).toEqual(listing(['add']));
    // an escaped key is still the key
    const escaped = '{"jsonrpc":"2.0","id":1,"result":{"\\u0074ools":[{"name":"secret"}]}}';
    expect(JSON.parse(filterToolsJson(escaped, policy) ?? 'null')).toMatchObject({ result: { tools: [] } });
    expect(filterToolsJson('not json', policy)).toBeNull();
  });
});
