import { UnsupportedRequestError } from '../../errors.ts';
import type { ChatCompletionRequest } from '../../types.ts';
import { toAnthropicBody } from '../anthropic/request.ts';
import { toGeminiBody } from '../gemini/request.ts';
import type { AuthorizeContext, ProviderCredential, ProviderHttpRequest } from '../types.ts';
import { projectIdOf } from './service-account.ts';
import { accessToken, forgetToken } from './token.ts';

/** Anthropic's Messages API version for models served by Vertex AI (sent in the body, not a header). */
const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Regions are lowercase words and digits joined by dashes ("us-central1", "europe-west4", "global"). */
const REGION = /^[a-z][a-z0-9-]{1,40}$/;

/**
 * Where a credential's Vertex calls go. The region is kept in the credential's apiVersion column (the
 * portal labels it "Region"); the project comes from the service-account key; baseUrl, when set,
 * replaces Google's regional host (a Private Service Connect endpoint, say).
 */
function vertexLocation(credential: ProviderCredential): { base: string; path: string } {
  const region = credential.apiVersion?.trim() ?? '';
  if (!REGION.test(region)) {
    throw new UnsupportedRequestError('The Vertex AI credential needs a region such as us-central1.');
  }
  const project = projectIdOf(credential.apiKey);
  if (!project) {
    throw new UnsupportedRequestError(
      'The Vertex AI credential is not a service-account key with a project_id.',
    );
  }
  const host =
    region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
  const base = (credential.baseUrl ?? host).replace(/\/+$/, '');
  return { base, path: `/v1/projects/${project}/locations/${region}` };
}

export function modelUrl(credential: ProviderCredential, publisher: string, model: string, method: string) {
  if (!model) throw new UnsupportedRequestError('A Vertex AI route needs a model name.');
  const { base, path } = vertexLocation(credential);
  // Claude versions are written "claude-sonnet-4-5@20250929" in Vertex URLs, "@" unescaped.
  const name = encodeURIComponent(model).replaceAll('%40', '@');
  return `${base}${path}/publishers/${publisher}/models/${name}:${method}`;
}

export const jsonHeaders = (credential: ProviderCredential, stream: boolean | null | undefined) => ({
  'content-type': 'application/json',
  accept: stream ? 'text/event-stream' : 'application/json',
  ...credential.headers,
});

/** Gemini on Vertex: the Gemini API's body at `publishers/google/models/{model}:generateContent`. */
export function buildVertexGeminiRequest(
  request: ChatCompletionRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const name = model.startsWith('models/') ? model.slice(7) : model;
  const url = request.stream
    ? `${modelUrl(credential, 'google', name, 'streamGenerateContent')}?alt=sse`
    : modelUrl(credential, 'google', name, 'generateContent');
  return {
    method: 'POST',
    url,
    headers: jsonHeaders(credential, request.stream),
    body: JSON.stringify(toGeminiBody(request)),
  };
}

/**
 * Claude on Vertex: Anthropic's Messages body at `publishers/anthropic/models/{model}:rawPredict`
 * (`:streamRawPredict` for streams), the model in the URL instead of the body and the API version in it.
 */
export function buildVertexAnthropicRequest(
  request: ChatCompletionRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const body = toAnthropicBody(request, model);
  delete body.model;
  body.anthropic_version = VERTEX_ANTHROPIC_VERSION;
  return {
    method: 'POST',
    url: modelUrl(credential, 'anthropic', model, request.stream ? 'streamRawPredict' : 'rawPredict'),
    headers: jsonHeaders(credential, request.stream),
    body: JSON.stringify(body),
  };
}

/** Both Vertex providers: a bearer token minted from the credential's service-account key. */
export async function authorizeVertex(
  request: ProviderHttpRequest,
  credential: ProviderCredential,
  context: AuthorizeContext,
): Promise<ProviderHttpRequest> {
  const token = await accessToken(credential, context);
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
}

/** A 401 to a request authorized with a cached token: that token is revoked, the next call mints one. */
export function unauthorizedVertex(
  request: ProviderHttpRequest,
  credential: ProviderCredential,
  context: AuthorizeContext,
): void {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token) forgetToken(credential, context.dispatcher, token);
}
