import { describe, expect, it } from 'vitest';
import { mcpErrorField, mcpFormSchema, toMcpDraft } from './mcp-draft';

const draft = {
  enabled: true,
  allowAllTools: true,
  tools: ['listOrders'],
  toolsText: ' search \n\nfetch_page\nsearch',
};

describe('MCP form draft', () => {
  it('sends a REST API’s ticked tools and never “allow all”', () => {
    expect(mcpFormSchema('REST').parse(draft)).toEqual({
      enabled: true,
      allowAllTools: false,
      tools: ['listOrders'],
    });
  });

  it('sends an AI API’s ticked model routes, and no list for a prompt API', () => {
    expect(mcpFormSchema('AI').parse(draft)).toEqual({
      enabled: true,
      allowAllTools: false,
      tools: ['listOrders'],
    });
    expect(mcpFormSchema('PROMPT').parse(draft)).toEqual({ enabled: true, allowAllTools: false, tools: [] });
  });

  it('sends an MCP API’s typed names, one per line, without repeats', () => {
    expect(mcpFormSchema('MCP').parse({ ...draft, enabled: false })).toEqual({
      enabled: true,
      allowAllTools: true,
      tools: ['search', 'fetch_page'],
    });
    const bad = mcpFormSchema('MCP').safeParse({ ...draft, toolsText: 'ok\nnot ok' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['tools', 1]);
  });

  it('round-trips the stored config and puts server messages on the right field', () => {
    expect(toMcpDraft({ enabled: true, allowAllTools: false, tools: ['a', 'b'] }).toolsText).toBe('a\nb');
    expect(mcpErrorField('MCP')('tools.1')).toBe('toolsText');
    expect(mcpErrorField('REST')('tools.1')).toBe('tools');
    expect(mcpErrorField('REST')('allowAllTools')).toBe('allowAllTools');
  });
});
