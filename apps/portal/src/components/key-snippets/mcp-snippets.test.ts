import { describe, expect, it } from 'vitest';
import {
  claudeDesktopJson,
  MCP_REMOTE_HEADER,
  mcpServerName,
  mcpServersJson,
  sdkSnippet,
} from './mcp-snippets';

const URL_ = 'https://gw.example.com/mcp';

describe('MCP client snippets', () => {
  it('names the server after the app, safely', () => {
    expect(mcpServerName('Mobile App (iOS)')).toBe('mobile-app-ios');
    expect(mcpServerName('***')).toBe('portcullis');
  });

  it('writes an mcpServers entry with the URL and the bearer header the gateway reads', () => {
    expect(JSON.parse(mcpServersJson('shop', URL_, 'pk_live_x'))).toEqual({
      mcpServers: { shop: { url: URL_, headers: { Authorization: 'Bearer pk_live_x' } } },
    });
  });

  it('bridges Claude Desktop through mcp-remote, the key in the environment', () => {
    const config = JSON.parse(claudeDesktopJson('shop', URL_, 'pk_live_x'));
    expect(config.mcpServers.shop.args).toEqual(['-y', 'mcp-remote', URL_, '--header', MCP_REMOTE_HEADER]);
    expect(config.mcpServers.shop.env).toEqual({ AUTH_HEADER: 'Bearer pk_live_x' });
  });

  it('connects the official SDK client over Streamable HTTP', () => {
    const code = sdkSnippet(URL_, 'pk_live_x');
    expect(code).toContain('new StreamableHTTPClientTransport(new URL("https://gw.example.com/mcp")');
    expect(code).toContain('Authorization: "Bearer pk_live_x"');
  });
});
