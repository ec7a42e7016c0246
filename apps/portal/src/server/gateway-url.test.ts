import { describe, expect, it } from 'vitest';
import { gatewayApiBaseUrl } from './gateway-url';

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
