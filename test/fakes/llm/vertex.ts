import { generateKeyPairSync, verify } from 'node:crypto';
import { anthropicFlavor } from './anthropic.ts';
import { geminiFlavor } from './gemini.ts';
import { countWords, fakeEmbedding, isObject, randomToken } from './script.ts';
import type { CapturedRequest, Flavor, FlavorContext } from './server.ts';

/*
 * Google Vertex AI: an OAuth token endpoint for service accounts (RFC 7523 JWT bearer grant: the
 * assertion's RS256 signature checked with the service account's public key, `aud` the token URL,
 * scope cloud-platform) and the prediction endpoints that require its bearer tokens:
 * `/v1/projects/{p}/locations/{r}/publishers/google/models/{m}:generateContent|streamGenerateContent`
 * (the Gemini API's bodies) and `…/publishers/anthropic/models/{m}:rawPredict|streamRawPredict`
 * (Anthropic's Messages body without `model`, with `anthropic_version: "vertex-2023-10-16"`), and
 * `…/publishers/google/models/{m}:predict` for the text embedding models (`instances` of `{content}`, at
 * most 250 and, for gemini-embedding models, one; `parameters.outputDimensionality`; answers
 * `predictions[].embeddings.{values, statistics}`).
 * Errors of Vertex itself are Google's `{error:{code,message,status}}`, the model's are Anthropic's.
 */

const SERVICE_ACCOUNT = 'gateway@portcullis-test.iam.gserviceaccount.com';
export const VERTEX_PROJECT = 'portcullis-test';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

/** The service account's key pair: the fake knows its public half. */
const trusted = keyPair();

/** bearer token → expiry (ms); tokens are random, so one map serves every fake server */
const issued = new Map<string, number>();

/** Revokes every token issued so far (as Google does when a key is disabled or rotated). */
export function revokeVertexTokens(): void {
  issued.clear();
}

/**
 * A service-account JSON key the fake's token endpoint accepts (or, `untrusted`, one signed with a
 * private key it does not know).
 */
export function vertexServiceAccountKey(origin: string, options: { untrusted?: boolean } = {}): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: VERTEX_PROJECT,
    private_key_id: randomToken(20),
    private_key: options.untrusted ? keyPair().privateKey : trusted.privateKey,
    client_email: SERVICE_ACCOUNT,
    client_id: '100000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: `${origin}/token`,
    universe_domain: 'googleapis.com',
  });
}

const decodeJson = (part: string | undefined): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
};

const invalidGrant = (context: FlavorContext, description: string) =>
  context.sendJson(400, { error: 'invalid_grant', error_description: description });

function issueToken(context: FlavorContext) {
  const form = new URLSearchParams(context.request.rawBody);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    context.sendJson(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' });
    return;
  }
  const [header, claims, signature] = (form.get('assertion') ?? '').split('.');
  const headerJson = decodeJson(header);
  const claimsJson = decodeJson(claims);
  if (headerJson.alg !== 'RS256') return invalidGrant(context, 'Invalid JWT: unsupported algorithm.');
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    trusted.publicKey,
    Buffer.from(signature ?? '', 'base64url'),
  );
  if (!signed) return invalidGrant(context, 'Invalid JWT Signature.');
  const now = Math.floor(Date.now() / 1000);
  if (claimsJson.iss !== SERVICE_ACCOUNT) return invalidGrant(context, 'Invalid issuer.');
  if (claimsJson.aud !== `http://${context.request.headers.host}/token`) {
    return invalidGrant(context, 'Invalid JWT: Failed audience check.');
  }
  if (claimsJson.scope !== SCOPE)
    return invalidGrant(context, 'Invalid OAuth scope or ID token audience provided.');
  const iat = Number(claimsJson.iat);
  const exp = Number(claimsJson.exp);
  if (!(iat <= now + 60 && exp > now && exp - iat <= 3600)) {
    return invalidGrant(
      context,
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
    );
  }
  const token = `ya29.${randomToken(32)}`;
  const lifetime = context.settings.tokenLifetimeSeconds;
  issued.set(token, Date.now() + lifetime * 1000);
  context.sendJson(200, { access_token: token, expires_in: lifetime, token_type: 'Bearer' });
}

function bearerValid(request: CapturedRequest): boolean {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  const expiresAt = match ? issued.get(match[1] ?? '') : undefined;
  return expiresAt !== undefined && expiresAt > Date.now();
}

const MODEL_PATH =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):(\w+)$/;

function claude(context: FlavorContext, model: string, method: string): Promise<void> | void {
  const body = isObject(context.request.body) ? context.request.body : {};
  const anthropicError = (status: number, message: string) =>
    context.sendJson(status, anthropicFlavor.errorBody(status, message));
  if (body.anthropic_version !== 'vertex-2023-10-16') {
    return anthropicError(400, "anthropic_version: Input should be 'vertex-2023-10-16'");
  }
  if ('model' in body) return anthropicError(400, 'model: Extra inputs are not permitted');
  if ((method === 'streamRawPredict') !== (body.stream === true)) {
    return anthropicError(400, `stream: ${method} needs stream ${method === 'streamRawPredict'}`);
  }
  const { anthropic_version: _version, ...messages } = body;
  return anthropicFlavor.route({
    ...context,
    sendError: anthropicError,
    request: {
      ...context.request,
      path: '/v1/messages',
      headers: { ...context.request.headers, 'anthropic-version': '2023-06-01' },
      body: { ...messages, model },
    },
  });
}

const INSTANCE_KEYS = ['content', 'task_type', 'title'];
const PARAMETER_KEYS = ['autoTruncate', 'outputDimensionality'];

/** Why Vertex would refuse an embeddings predict body, or null when it would not. */
function predictProblem(body: Record<string, unknown>, model: string): string | null {
  const unknown = Object.keys(body).find((key) => key !== 'instances' && key !== 'parameters');
  if (unknown) return `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`;
  const instances = body.instances;
  if (!Array.isArray(instances) || instances.length === 0) return 'instances must not be empty.';
  const limit = model.startsWith('gemini-embedding') ? 1 : 250;
  if (instances.length > limit) {
    return `Unable to submit request because the model supports up to ${limit} instances per request, got ${instances.length}.`;
  }
  for (const instance of instances) {
    if (!isObject(instance) || typeof instance.content !== 'string')
      return 'Each instance needs a content string.';
    if (instance.content === '') return 'The text content is empty.';
    const extra = Object.keys(instance).find((key) => !INSTANCE_KEYS.includes(key));
    if (extra) return `Unknown instance field "${extra}".`;
  }
  const parameters = body.parameters ?? {};
  if (!isObject(parameters)) return 'parameters must be an object.';
  const extra = Object.keys(parameters).find((key) => !PARAMETER_KEYS.includes(key));
  if (extra) return `Unknown parameter "${extra}".`;
  const dimensions = parameters.outputDimensionality;
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && (dimensions as number) >= 1)) {
    return 'outputDimensionality must be a positive integer.';
  }
  return null;
}

/** Text embeddings: one prediction per instance, in order, each with its token count. */
function predictEmbeddings(context: FlavorContext, model: string): void {
  const body = isObject(context.request.body) ? context.request.body : {};
  const problem = predictProblem(body, model);
  if (problem) {
    context.sendError(400, problem);
    return;
  }
  const instances = (body.instances as { content: string }[]).map((instance) => instance.content);
  const parameters = isObject(body.parameters) ? body.parameters : {};
  const dimensions =
    typeof parameters.outputDimensionality === 'number'
      ? parameters.outputDimensionality
      : context.settings.embeddingDimensions;
  const predictions = instances.map((content) => ({
    embeddings: {
      values: fakeEmbedding(content, dimensions),
      statistics: context.settings.omitUsage
        ? { truncated: false }
        : { truncated: false, token_count: countWords([content]) },
    },
  }));
  context.sendJson(200, {
    predictions,
    metadata: { billableCharacterCount: instances.join('').length },
  });
}

export const vertexFlavor: Flavor = {
  baseUrl: (origin) => origin,
  authorized: (request) => (request.method === 'POST' && request.path === '/token') || bearerValid(request),
  authFailure: () => ({
    status: 401,
    body: {
      error: {
        code: 401,
        message:
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        status: 'UNAUTHENTICATED',
      },
    },
  }),
  retryAfterInHeader: false,
  errorBody: geminiFlavor.errorBody,
  streamErrorFrame: geminiFlavor.streamErrorFrame,
  route(context) {
    const { request } = context;
    if (request.path === '/token') return issueToken(context);
    const match = MODEL_PATH.exec(request.path);
    if (request.method !== 'POST' || !match) {
      context.sendError(404, `Method not found: ${request.method} ${request.path}`);
      return;
    }
    const [, project, , publisher, rawModel, method] = match;
    if (project !== VERTEX_PROJECT) {
      context.sendError(403, `Permission denied on resource project ${project}.`);
      return;
    }
    const model = decodeURIComponent(rawModel ?? '');
    if (publisher === 'anthropic') {
      if (method === 'rawPredict' || method === 'streamRawPredict') return claude(context, model, method);
    } else if (method === 'predict') {
      return predictEmbeddings(context, model);
    } else if (method === 'generateContent' || method === 'streamGenerateContent') {
      return geminiFlavor.route({
        ...context,
        request: { ...request, path: `/v1beta/models/${model}:${method}` },
      });
    }
    context.sendError(404, `Method not found: ${method}`);
  },
};
