import { describe, expect, it } from 'vitest';
import { gatewayApiBaseUrl, gatewayApiMcpUrl, gatewayAppMcpUrl } from './gateway-url';

describe('gatewayApiBaseUrl', () => {
  it('names the org in the path on the shared origin', () => {
    expect(gatewayApiBaseUrl({ publicUrl: 'http://127.0.0.1:8080' }, 'acme', 'weather')).toBe(
      'http://127.0.0.1:8080/acme/weather/',
    );
    expect(gatewayApiBaseUrl({ publicUrl: 'https://api.example.com/gw/' }, 'acme', 'weather')).toBe(
      'https://api.example.com/gw/acme/weather/',
    );
  });

  it("gives each org its own host under the suffix, keeping the public URL's scheme and port", () => {
    const gateway = { publicUrl: 'https://gw.example.com:8443', orgHostSuffix: 'gw.example.com' };
    expect(gatewayApiBaseUrl(gateway, 'acme', 'weather')).toBe('https://acme.gw.example.com:8443/weather/');
    expect(gatewayApiBaseUrl({ ...gateway, publicUrl: 'https://gw.example.com' }, 'acme', 'weather')).toBe(
      'https://acme.gw.example.com/weather/',
    );
  });
});

describe('MCP URLs', () => {
  it('serves an API’s tools under its base URL and an app’s at the gateway root', () => {
    expect(gatewayApiMcpUrl({ publicUrl: 'https://api.example.com/gw/' }, 'acme', 'weather')).toBe(
      'https://api.example.com/gw/acme/weather/mcp',
    );
    const perOrg = { publicUrl: 'https://gw.example.com', orgHostSuffix: 'gw.example.com' };
    expect(gatewayApiMcpUrl(perOrg, 'acme', 'weather')).toBe('https://acme.gw.example.com/weather/mcp');
    expect(gatewayAppMcpUrl({ publicUrl: 'https://api.example.com/gw/' })).toBe(
      'https://api.example.com/gw/mcp',
    );
  });
});
