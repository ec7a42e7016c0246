import { describe, expect, it } from 'vitest';
import { createMcpSessionStore } from '../mcp/sessions.ts';
import { apiScope, resolveSession } from './session.ts';

describe('resolveSession', () => {
  const owner = { keyId: 'key_a', apiId: 'api_1' };

  it('finds a session of the same key and API', async () => {
    const store = createMcpSessionStore({});
    const id = await store.create({ keyId: 'key_a', scope: apiScope('api_1'), upstreamSessionId: 'up-1' });
    const found = await resolveSession(store, { 'mcp-session-id': id }, owner, 1);
    expect(found).toEqual({
      ok: true,
      value: { id, binding: { keyId: 'key_a', scope: 'api:api_1', upstreamSessionId: 'up-1' } },
    });
  });

  it('answers a session of another key, another API or none at all alike: 404', async () => {
    const store = createMcpSessionStore({});
    const otherKey = await store.create({ keyId: 'key_b', scope: apiScope('api_1') });
    const otherApi = await store.create({ keyId: 'key_a', scope: apiScope('api_2') });
    const appScoped = await store.create({ keyId: 'key_a', scope: 'app:app_1' });
    for (const id of [otherKey, otherApi, appScoped, 'mcp_unknown']) {
      const found = await resolveSession(store, { 'mcp-session-id': id }, owner, 3);
      expect(found).toMatchObject({ ok: false, error: { httpStatus: 404, code: -32001, id: 3 } });
    }
  });

  it('asks for the header when it is missing, and says when the store fails', async () => {
    const store = createMcpSessionStore({});
    expect(await resolveSession(store, {}, owner, null)).toMatchObject({
      ok: false,
      error: { httpStatus: 400, errorCode: 'mcp_session_missing' },
    });
    const broken = { ...store, get: () => Promise.reject(new Error('down')) };
    expect(await resolveSession(broken, { 'mcp-session-id': 'mcp_x' }, owner, 2)).toMatchObject({
      ok: false,
      error: { httpStatus: 503, errorCode: 'mcp_sessions_unavailable', id: 2 },
    });
  });
});
