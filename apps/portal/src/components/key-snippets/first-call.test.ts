import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlSnippet, fetchSnippet, firstCall, firstGetPath } from './first-call';

const run = promisify(execFile);
const KEY = `pk_live_${'a'.repeat(32)}`;
/** The curl snippet runs in a shell when curl is installed (it is on the CI image). */
const curlInstalled = ['/usr/bin/curl', '/bin/curl', '/usr/local/bin/curl'].some((p) => existsSync(p));

describe('firstCall', () => {
  it('picks the first GET that needs no parameters, else the API root', () => {
    const spec = {
      paths: {
        '/cities/{id}': { get: {} },
        '/forecast': { get: { parameters: [{ name: 'city', in: 'query', required: true }] } },
        '/alerts': { parameters: [{ name: 'region', in: 'query', required: true }], get: {} },
        '/stations': { post: {} },
        '/status': { get: { parameters: [{ name: 'verbose', in: 'query' }] } },
      },
    };
    expect(firstGetPath(spec)).toBe('/status');
    expect(firstGetPath({ paths: { '/a/{b}': { get: {} } } })).toBe('/');
    expect(firstGetPath(null)).toBe('/');
    expect(firstGetPath({ paths: 'nonsense' })).toBe('/');
    expect(firstCall('REST', 'http://gw:8080/acme/weather/', spec)).toEqual({
      method: 'GET',
      url: 'http://gw:8080/acme/weather/status',
    });
    expect(firstCall('REST', 'http://gw:8080/acme/weather/', null).url).toBe('http://gw:8080/acme/weather/');
  });

  it('lists the models of an AI API and runs a prompt API with example variables', () => {
    expect(firstCall('AI', 'https://gw.example/acme/llm/', null)).toEqual({
      method: 'GET',
      url: 'https://gw.example/acme/llm/v1/models',
    });
    const prompt = {
      paths: {
        '/v1/run': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: { properties: { topic: { type: 'string' }, count: { type: 'integer' } } },
                },
              },
            },
          },
        },
      },
    };
    expect(firstCall('PROMPT', 'https://gw.example/acme/haiku/', prompt)).toEqual({
      method: 'POST',
      url: 'https://gw.example/acme/haiku/v1/run',
      body: '{"topic":"topic","count":1}',
    });
  });
});

describe('snippets', () => {
  const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: string }> = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({
      method: req.method,
      url: req.url,
      auth: req.headers.authorization,
      type: req.headers['content-type'],
      body,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  let base = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acme/it's/`;
  });
  afterAll(() => server.close());

  it('runs as written: curl in a shell and fetch in Node, with the key and the URL filled in', async () => {
    const get = firstCall('REST', base, { paths: { '/forecast': { get: {} } } });
    const curl = curlSnippet(get, KEY);
    expect(curl).toContain(KEY);
    const shell = async (command: string) =>
      curlInstalled ? (await run('sh', ['-c', command])).stdout : null;
    const curlOut = await shell(curl);
    if (curlOut !== null) expect(curlOut).toMatch(/^HTTP\/1\.1 200/);
    const node = await run(process.execPath, ['--input-type=module', '-e', fetchSnippet(get, KEY)]);
    expect(node.stdout.trim()).toBe('200 {"ok":true}');

    const post = firstCall('PROMPT', base, {
      paths: {
        '/v1/run': {
          post: { requestBody: { content: { 'application/json': { schema: { properties: { q: {} } } } } } },
        },
      },
    });
    await run('sh', ['-c', curlSnippet(post, KEY)]);
    await run(process.execPath, ['--input-type=module', '-e', fetchSnippet(post, KEY)]);

    const path = "/acme/it's/";
    expect(seen).toEqual([
      { method: 'GET', url: `${path}forecast`, auth: `Bearer ${KEY}`, type: undefined, body: '' },
      { method: 'GET', url: `${path}forecast`, auth: `Bearer ${KEY}`, type: undefined, body: '' },
      {
        method: 'POST',
        url: `${path}v1/run`,
        auth: `Bearer ${KEY}`,
        type: 'application/json',
        body: '{"q":"q"}',
      },
      {
        method: 'POST',
        url: `${path}v1/run`,
        auth: `Bearer ${KEY}`,
        type: 'application/json',
        body: '{"q":"q"}',
      },
    ]);
  });
});
