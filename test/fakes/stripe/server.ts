import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeStripeForm, FormDecodeError, type FormObject } from './form.ts';
import { handleHostedCheckout } from './hosted-checkout.ts';
import { FakeStripeError, type Route, type StripeErrorBody } from './protocol.ts';
import { catalogRoutes } from './routes-catalog.ts';
import { customerRoutes } from './routes-customers.ts';
import { meterRoutes } from './routes-meters.ts';
import { sessionRoutes } from './routes-sessions.ts';
import { webhookRoutes } from './routes-webhooks.ts';
import { FakeStripeState, type InjectedFailureKind, type RequestLogEntry, randomId } from './state.ts';

/**
 * A local server speaking Stripe's v1 HTTP API for the endpoints Portcullis uses, so tests run the real
 * `stripe` client (pointed here through host/port/protocol) instead of mocks.
 */
export interface FakeStripe {
  /** e.g. "http://127.0.0.1:40123", for createStripeClient({ apiBase }) */
  url: string;
  port: number;
  /** a key the server accepts (the first of `secretKeys`) */
  secretKey: string;
  state: FakeStripeState;
  close(): Promise<void>;
}

export interface FakeStripeOptions {
  /** each key is its own Stripe account; objects of one are invisible to the others */
  secretKeys?: string[];
  /** clock in ms, for meter-event timestamp windows and `created` fields */
  now?: () => number;
  /** a fixed port (e.g. one the platform under test was told about); a free one otherwise */
  port?: number;
}

const DEFAULT_SECRET_KEY = 'sk_test_portcullisfake000000000000';
const MAX_BODY_BYTES = 1 << 20;
const ROUTES: Route[] = [
  ...catalogRoutes,
  ...meterRoutes,
  ...customerRoutes,
  ...sessionRoutes,
  ...webhookRoutes,
];
const HOSTED_CHECKOUT = /^\/c\/pay\/([A-Za-z0-9_]+)$/;

interface SavedResult {
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
}

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const now = options.now ?? Date.now;
  const state = new FakeStripeState(now);
  const keys = options.secretKeys?.length ? options.secretKeys : [DEFAULT_SECRET_KEY];
  for (const key of keys) state.addAccount(key);
  const idempotent = new Map<string, SavedResult>();

  const server = createServer((req, res) => {
    // The browser-facing Checkout page takes no API key, like checkout.stripe.com.
    const hosted = HOSTED_CHECKOUT.exec(new URL(req.url ?? '/', 'http://fake.stripe').pathname);
    if (hosted) {
      handleHostedCheckout(state, req, res, hosted[1]!).catch(() => {
        if (!res.headersSent) res.destroy();
      });
      return;
    }
    readBody(req)
      .then((body) => handle(req, res, body))
      .catch(() => {
        if (!res.headersSent) res.destroy();
      });
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const target = new URL(req.url ?? '/', 'http://fake.stripe');
    const path = target.pathname;
    const idempotencyKey = header(req, 'idempotency-key');
    const stripeVersion = header(req, 'stripe-version');
    const requestId = randomId('req_');
    const log: RequestLogEntry = {
      at: now(),
      method,
      path,
      account: null,
      idempotencyKey,
      stripeVersion,
      headers: Object.fromEntries(
        Object.entries(req.headers).flatMap(([name, value]) =>
          name === 'authorization' || typeof value !== 'string' ? [] : [[name, value]],
        ),
      ),
      params: {},
      status: null,
      outcome: 'handled',
    };
    state.requests.push(log);
    const respond = (status: number, body: string, extra: Record<string, string> = {}) => {
      log.status = status;
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Request-Id': requestId,
        ...(stripeVersion ? { 'Stripe-Version': stripeVersion } : {}),
        ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
        ...extra,
      });
      res.end(body);
    };
    const fail = (status: number, error: StripeErrorBody, extra: Record<string, string> = {}) =>
      respond(status, JSON.stringify({ error }, null, 2), extra);

    const secretKey = apiKeyFrom(req);
    const account = secretKey ? state.accounts.get(secretKey) : undefined;
    if (!account) {
      log.outcome = 'rejected';
      fail(401, {
        type: 'invalid_request_error',
        message: secretKey
          ? `Invalid API Key provided: ${maskKey(secretKey)}`
          : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      });
      return;
    }
    log.account = account;

    const missing = missingPermission(state.restrictedKeys.get(secretKey ?? ''), method, path);
    if (missing) {
      log.outcome = 'rejected';
      fail(403, {
        type: 'invalid_request_error',
        message: `The provided key '${maskKey(secretKey ?? '')}' does not have the required permissions for this endpoint on account '${account}'. Having the '${missing}' permission would allow this request to continue.`,
      });
      return;
    }

    const injected: InjectedFailureKind | null = state.takeInjectedFailure(method, path);
    if (injected === 'http_500') {
      log.outcome = injected;
      fail(500, { type: 'api_error', message: 'An unknown error occurred (injected by the fake).' });
      return;
    }
    if (injected === 'connection_reset') {
      log.outcome = injected;
      res.socket?.destroy();
      return;
    }

    let params: FormObject;
    try {
      params = decodeStripeForm(method === 'POST' ? rawBody : target.search.slice(1));
    } catch (error) {
      log.outcome = 'rejected';
      const message = error instanceof FormDecodeError ? error.message : 'Invalid request body';
      fail(400, { type: 'invalid_request_error', message });
      return;
    }
    log.params = params;

    // Stripe applies idempotency keys to POST only; GET and DELETE are idempotent already.
    const savedKey = method === 'POST' && idempotencyKey ? `${account}\u0000${idempotencyKey}` : null;
    const fingerprint = `${method} ${path} ${canonical(params)}`;
    if (idempotencyKey && idempotencyKey.length > 255) {
      fail(400, {
        type: 'invalid_request_error',
        message: 'Idempotency keys can be no longer than 255 characters.',
      });
      return;
    }
    const saved = savedKey ? idempotent.get(savedKey) : undefined;
    if (saved) {
      if (saved.fingerprint !== fingerprint) {
        fail(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
        return;
      }
      if (injected === 'reset_after_commit') {
        log.outcome = injected;
        res.socket?.destroy();
        return;
      }
      log.outcome = 'replayed';
      respond(saved.status, saved.body, {
        'Idempotent-Replayed': 'true',
        'Original-Request': saved.requestId,
      });
      return;
    }

    let status = 200;
    let body: string;
    let extraHeaders: Record<string, string> = {};
    let save = true;
    const route = ROUTES.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    if (!route) {
      status = 404;
      save = false;
      body = JSON.stringify({
        error: {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        },
      });
    } else {
      try {
        const pathParams = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
        const result = route.handle({
          state,
          account,
          livemode: secretKey!.includes('_live_'),
          params,
          pathParams,
          nowSeconds: Math.floor(now() / 1000),
        });
        body = JSON.stringify(result, null, 2);
      } catch (error) {
        if (error instanceof FakeStripeError) {
          status = error.status;
          body = JSON.stringify({ error: error.body }, null, 2);
          extraHeaders = error.headers;
          save = !error.beforeExecution;
        } else {
          // A bug in the fake must surface in the test that hit it, not as a hung request.
          status = 500;
          save = false;
          body = JSON.stringify({
            error: { type: 'api_error', message: `fake Stripe failed: ${String(error)}` },
          });
        }
      }
    }
    if (savedKey && save) idempotent.set(savedKey, { fingerprint, status, body, requestId });
    if (injected === 'reset_after_commit') {
      log.outcome = injected;
      log.status = status;
      res.socket?.destroy();
      return;
    }
    respond(status, body, extraHeaders);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  state.publicUrl = `http://127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    secretKey: keys[0]!,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/** Stripe takes the key as Bearer token or as the Basic-auth user name (curl -u sk_…:). */
function apiKeyFrom(req: IncomingMessage): string | null {
  const authorization = header(req, 'authorization');
  if (!authorization) return null;
  const [scheme, credentials] = authorization.split(' ', 2);
  if (!credentials) return null;
  if (scheme?.toLowerCase() === 'bearer') return credentials.trim();
  if (scheme?.toLowerCase() === 'basic') {
    return Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] || null;
  }
  return null;
}

/** Stripe's permission names by resource; write implies read, as for Stripe's restricted keys. */
const RESOURCE_PERMISSIONS: Array<[RegExp, string]> = [
  [/^\/v1\/billing\/meter_events/, 'billing_meter_event'],
  [/^\/v1\/billing\/meters/, 'billing_meter'],
  [/^\/v1\/products/, 'product'],
  [/^\/v1\/prices/, 'price'],
  [/^\/v1\/customers/, 'customer'],
  [/^\/v1\/subscriptions/, 'subscription'],
  [/^\/v1\/checkout\/sessions/, 'checkout_session'],
  [/^\/v1\/billing_portal\/sessions/, 'billing_portal_session'],
  [/^\/v1\/webhook_endpoints/, 'webhook_endpoint'],
];

/** The permission a restricted key lacks for this request, or null (unrestricted keys lack none). */
function missingPermission(granted: Set<string> | undefined, method: string, path: string): string | null {
  if (!granted) return null;
  const resource = RESOURCE_PERMISSIONS.find(([pattern]) => pattern.test(path))?.[1] ?? 'unknown';
  const write = `rak_${resource}_write`;
  if (granted.has(write)) return null;
  const read = `rak_${resource}_read`;
  if (method === 'GET' && granted.has(read)) return null;
  return method === 'GET' ? read : write;
}

function maskKey(key: string): string {
  const prefix = key.slice(0, key.indexOf('_', 3) + 1);
  return `${prefix}${'*'.repeat(Math.max(key.length - prefix.length - 4, 0))}${key.slice(-4)}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
