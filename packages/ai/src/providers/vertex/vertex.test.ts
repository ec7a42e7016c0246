import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UnsupportedRequestError } from '../../errors.ts';
import type { ChatCompletionRequest } from '../../types.ts';
import type { ProviderCredential } from '../types.ts';
import { vertex, vertexAnthropic } from './index.ts';
import { parseServiceAccountKey, projectIdOf } from './service-account.ts';
import { CLOUD_PLATFORM_SCOPE, signAssertion } from './token.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

const keyFields = {
  type: 'service_account',
  project_id: 'acme-prod-42',
  private_key_id: 'kid-1',
  private_key: privateKey,
  client_email: 'gw@acme-prod-42.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};
const serviceAccount = (changes: Record<string, unknown> = {}) =>
  JSON.stringify({ ...keyFields, ...changes });
const credential = (changes: Partial<ProviderCredential> = {}): ProviderCredential => ({
  apiKey: serviceAccount(),
  apiVersion: 'us-central1',
  ...changes,
});
const request = (changes: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'client-name',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hi' },
  ],
  ...changes,
});

describe('service-account keys', () => {
  it('reads a key as Google issues it', () => {
    const parsed = parseServiceAccountKey(serviceAccount());
    expect(parsed.ok && parsed.key.clientEmail).toBe(keyFields.client_email);
    expect(parsed.ok && parsed.key.projectId).toBe('acme-prod-42');
    expect(projectIdOf(serviceAccount())).toBe('acme-prod-42');
  });

  it.each([
    ['not JSON', 'AIzaSy-not-a-json-key', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another type', serviceAccount({ type: 'authorized_user' }), /"type" must be "service_account"/],
    ['no client_email', serviceAccount({ client_email: undefined }), /client_email/],
    ['a bad project_id', serviceAccount({ project_id: '../other' }), /project_id/],
    ['no token_uri', serviceAccount({ token_uri: 'not a url' }), /token_uri/],
    [
      'a broken private_key',
      serviceAccount({ private_key: '-----BEGIN PRIVATE KEY-----\nxx' }),
      /private_key/,
    ],
  ])('names the problem with %s', (_what, secret, message) => {
    const parsed = parseServiceAccountKey(secret);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });

  it('refuses a non-RSA private key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const parsed = parseServiceAccountKey(serviceAccount({ private_key: ec }));
    expect(parsed.ok ? '' : parsed.message).toMatch(/RSA/);
  });
});

describe('the token assertion', () => {
  it('is an RS256 JWT for the cloud-platform scope, addressed to the token_uri', () => {
    const parsed = parseServiceAccountKey(serviceAccount());
    if (!parsed.ok) throw new Error(parsed.message);
    const now = Date.UTC(2026, 0, 1);
    const [header, claims, signature] = signAssertion(parsed.key, now).split('.');
    const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString());
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(decode(claims)).toEqual({
      iss: keyFields.client_email,
      scope: CLOUD_PLATFORM_SCOPE,
      aud: keyFields.token_uri,
      iat: now / 1000,
      exp: now / 1000 + 3600,
    });
    const signed = Buffer.from(`${header}.${claims}`);
    expect(verify('sha256', signed, publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(true);
  });
});

describe('Gemini on Vertex AI requests', () => {
  it('calls the regional generateContent of publishers/google, the project from the key', () => {
    const spec = vertex.buildRequest(request(), 'gemini-2.5-flash', credential());
    expect(spec.url).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/acme-prod-42/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    const body = JSON.parse(spec.body ?? '');
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'hi' }] }]);
    // the bearer token is added by authorize(), never the key itself
    expect(JSON.stringify(spec.headers)).not.toContain('PRIVATE KEY');
    expect(spec.headers.authorization).toBeUndefined();
  });

  it('streams with streamGenerateContent?alt=sse; "global" and a custom endpoint change the host', () => {
    const streamed = vertex.buildRequest(request({ stream: true }), 'gemini-2.5-pro', credential());
    expect(streamed.url).toMatch(/:streamGenerateContent\?alt=sse$/);
    expect(streamed.headers.accept).toBe('text/event-stream');
    const global = vertex.buildRequest(request(), 'gemini-2.5-pro', credential({ apiVersion: 'global' }));
    expect(global.url).toMatch(
      /^https:\/\/aiplatform\.googleapis\.com\/v1\/projects\/acme-prod-42\/locations\/global\//,
    );
    const custom = vertex.buildRequest(
      request(),
      'gemini-2.5-pro',
      credential({ baseUrl: 'https://vertex.internal.example/' }),
    );
    expect(custom.url).toMatch(/^https:\/\/vertex\.internal\.example\/v1\/projects\//);
  });

  it('needs a well-formed region and a key with a project', () => {
    expect(() => vertex.buildRequest(request(), 'm', credential({ apiVersion: undefined }))).toThrow(
      UnsupportedRequestError,
    );
    expect(() => vertex.buildRequest(request(), 'm', credential({ apiVersion: 'us/../x' }))).toThrow(
      /region/,
    );
    expect(() => vertex.buildRequest(request(), 'm', credential({ apiKey: 'sk-123' }))).toThrow(/project_id/);
  });
});

describe('Anthropic on Vertex AI requests', () => {
  it('posts the Messages body to rawPredict without model, with the Vertex anthropic_version', () => {
    const spec = vertexAnthropic.buildRequest(
      request({ max_tokens: 50 }),
      'claude-sonnet-4-5@20250929',
      credential(),
    );
    expect(spec.url).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/acme-prod-42/locations/us-central1/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
    );
    const body = JSON.parse(spec.body ?? '');
    expect(body.model).toBeUndefined();
    expect(body.anthropic_version).toBe('vertex-2023-10-16');
    expect(body.system).toBe('Be brief.');
    expect(body.max_tokens).toBe(50);
    expect(spec.headers['anthropic-version']).toBeUndefined();
    expect(spec.headers['x-api-key']).toBeUndefined();
  });

  it('streams through streamRawPredict with stream: true in the body', () => {
    const spec = vertexAnthropic.buildRequest(request({ stream: true }), 'claude-haiku-4-5', credential());
    expect(spec.url).toMatch(/\/publishers\/anthropic\/models\/claude-haiku-4-5:streamRawPredict$/);
    expect(JSON.parse(spec.body ?? '').stream).toBe(true);
  });

  it("reads errors in either shape: Anthropic's from the model, Google's from Vertex", () => {
    const overloaded = vertexAnthropic.mapError(
      529,
      JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      {},
    );
    expect(overloaded.status).toBe(503);
    const quota = vertexAnthropic.mapError(
      429,
      JSON.stringify({
        error: {
          code: 429,
          message: 'Quota exceeded for aiplatform.googleapis.com',
          status: 'RESOURCE_EXHAUSTED',
        },
      }),
      {},
    );
    expect(quota.status).toBe(429);
    expect(quota.body.error.message).toContain('Quota exceeded');
  });
});
