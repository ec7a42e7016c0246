import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ADDRESS_HEADER,
  clientAddressFromHeaders,
  installClientAddressStamp,
  stampValue,
} from './client-address';

const SECRET = 'client-address-test-secret-0123456789abcdef';

describe('clientAddressFromHeaders', () => {
  it('reads a stamp this portal wrote, and nothing a client wrote', () => {
    const headers = (value: string) => new Headers({ [CLIENT_ADDRESS_HEADER]: value });
    expect(clientAddressFromHeaders(headers(stampValue('127.0.0.7', SECRET)), SECRET)).toBe('127.0.0.7');
    expect(clientAddressFromHeaders(headers('203.0.113.9'), SECRET)).toBe('unknown');
    expect(clientAddressFromHeaders(headers(stampValue('203.0.113.9', 'another-secret')), SECRET)).toBe(
      'unknown',
    );
    const [, mac] = stampValue('127.0.0.7', SECRET).split(' ');
    expect(clientAddressFromHeaders(headers(`203.0.113.9 ${mac}`), SECRET)).toBe('unknown');
    expect(clientAddressFromHeaders(new Headers(), SECRET)).toBe('unknown');
  });
});

describe('installClientAddressStamp', () => {
  it('stamps the socket address over whatever the client sent, before the server sees the request', async () => {
    installClientAddressStamp({ secret: SECRET, trustedProxies: 0 });
    const server = createServer((req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string') headers.set(name, value);
      res.end(clientAddressFromHeaders(headers, SECRET));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const seen = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          localAddress: '127.0.0.9',
          headers: {
            'x-forwarded-for': '203.0.113.9',
            [CLIENT_ADDRESS_HEADER]: stampValue('198.51.100.1', 'guessed-secret'),
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end();
    });
    server.close();
    expect(seen).toBe('127.0.0.9');
  });
});
