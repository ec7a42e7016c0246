import { describe, expect, it } from 'vitest';
import { KEY_SCHEME, referenceDocument } from './reference-document';

const spec = {
  openapi: '3.0.3',
  info: { title: 'Weather', version: '1' },
  servers: [{ url: 'https://upstream.internal' }],
  security: [{ upstreamKey: [] }],
  components: { securitySchemes: { upstreamKey: { type: 'apiKey', in: 'header', name: 'X-Key' } } },
  paths: {
    '/forecast': {
      servers: [{ url: 'https://other.internal' }],
      get: {
        security: [],
        servers: [{ url: 'https://x.internal' }],
        responses: { '200': { description: 'ok' } },
      },
      parameters: [],
    },
  },
};

describe('referenceDocument', () => {
  it('points every operation at the gateway with the key as bearer, leaving the input alone', () => {
    const doc = referenceDocument(spec, 'http://gw.test/acme/weather/');
    expect(doc?.servers).toEqual([{ url: 'http://gw.test/acme/weather', description: 'Portcullis gateway' }]);
    expect(doc?.security).toEqual([{ [KEY_SCHEME]: [] }]);
    expect(doc).toMatchObject({
      components: { securitySchemes: { [KEY_SCHEME]: { type: 'http', scheme: 'bearer' }, upstreamKey: {} } },
      paths: { '/forecast': { get: { responses: { '200': { description: 'ok' } } } } },
    });
    const paths = (doc?.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    const item = paths['/forecast'];
    expect(item?.servers).toBeUndefined();
    expect(item?.get?.security).toBeUndefined();
    expect(item?.get?.servers).toBeUndefined();
    expect(spec.paths['/forecast'].get.security).toEqual([]);
  });

  it('is null for what is not an OpenAPI 3 document', () => {
    for (const bad of [null, 'x', [], { openapi: '3.1.0' }, { swagger: '2.0', paths: {} }]) {
      expect(referenceDocument(bad, 'http://gw.test/a/b/')).toBeNull();
    }
  });
});
