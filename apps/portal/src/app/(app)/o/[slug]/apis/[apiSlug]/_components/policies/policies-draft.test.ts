import { parseApiPolicies } from '@portcullis/core/policies';
import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../../components/forms/draft-text';
import { toPoliciesDraft, ZPoliciesForm } from './policies-draft';

describe('policies draft', () => {
  it('round-trips the default document unchanged', () => {
    const model = parseApiPolicies({});
    expect(parseDraft(ZPoliciesForm, toPoliciesDraft(model))).toEqual({ ok: true, input: model });
  });

  it('round-trips a full document unchanged', () => {
    const model = parseApiPolicies({
      ipAllow: ['203.0.113.0/24', '2001:db8::/32'],
      ipDeny: ['198.51.100.7/32'],
      cors: {
        enabled: true,
        allowOrigins: ['https://a.example.com', 'https://b.example.com'],
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['authorization', 'x-trace'],
        exposeHeaders: ['x-request-id'],
        allowCredentials: true,
        maxAgeSeconds: 0,
      },
      maxBodyBytes: 2048,
      maxHeaderCount: 20,
      maxHeaderBytes: 4096,
      validateRequests: true,
      requestHeaders: {
        add: { 'x-from': 'gateway: one' },
        remove: ['cookie', 'x-debug'],
        rename: { 'x-a': 'x-b' },
      },
      responseHeaders: { add: { 'x-served-by': 'edge' }, remove: ['server'], rename: {} },
      allowedMethods: ['GET', 'HEAD'],
      cache: { enabled: true, ttlSeconds: 30, public: true },
      redisFailureMode: 'deny',
    });
    expect(parseDraft(ZPoliciesForm, toPoliciesDraft(model))).toEqual({ ok: true, input: model });
  });

  it('reads empty lists and comma-separated headers', () => {
    const draft = toPoliciesDraft(parseApiPolicies({}));
    draft.ipDeny = '\n  10.0.0.0/8 \n\n';
    draft.cors.allowHeaders = 'Authorization,  X-Key\ncontent-type';
    draft.requestHeaders.remove = '';
    const result = parseDraft(ZPoliciesForm, draft);
    expect(result.ok && result.input.ipDeny).toEqual(['10.0.0.0/8']);
    expect(result.ok && result.input.cors.allowHeaders).toEqual(['authorization', 'x-key', 'content-type']);
    expect(result.ok && result.input.requestHeaders.remove).toEqual([]);
  });

  it('gives invalid numbers and out-of-range values field errors', () => {
    const draft = toPoliciesDraft(parseApiPolicies({}));
    draft.maxBodyBytes = 'lots';
    draft.cache.ttlSeconds = '';
    const first = parseDraft(ZPoliciesForm, draft);
    expect(first.ok ? {} : first.errors).toEqual({
      maxBodyBytes: 'Enter a number',
      'cache.ttlSeconds': 'Enter a number',
    });
    draft.maxBodyBytes = '100';
    draft.cache.ttlSeconds = '0';
    draft.maxHeaderBytes = '10';
    const second = parseDraft(ZPoliciesForm, draft);
    expect(second.ok ? [] : Object.keys(second.errors).sort()).toEqual([
      'cache.ttlSeconds',
      'maxHeaderBytes',
    ]);
  });

  it('names a bad header name by its field', () => {
    const draft = toPoliciesDraft(parseApiPolicies({}));
    draft.requestHeaders.remove = 'x ok';
    const result = parseDraft(ZPoliciesForm, draft);
    expect(result.ok ? [] : Object.keys(result.errors)).toEqual(['requestHeaders.remove.0']);
  });
});
