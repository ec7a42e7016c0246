import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicFlavor } from './anthropic.ts';
import { bedrockFlavor } from './bedrock.ts';
import { cohereFlavor } from './cohere.ts';
import { geminiFlavor } from './gemini.ts';
import { azureFlavor, mistralFlavor, openaiFlavor } from './openai.ts';
import { DEFAULT_REPLY, type ScriptOptions } from './script.ts';
import { vertexFlavor } from './vertex.ts';

/*
 * Local servers speaking each LLM provider's real wire format (paths, auth headers, JSON shapes, SSE
 * framing, error bodies), so adapters are tested against bytes shaped like the real thing. One server per
 * flavor; behaviour is scripted (script.ts), requests are captured, failures and latency injectable.
 */

export type FakeFlavor =
  | 'openai'
  | 'azure'
  | 'anthropic'
  | 'gemini'
  | 'mistral'
  | 'vertex'
  | 'cohere'
  | 'bedrock';

export interface FakeLlmOptions {
  flavor: FakeFlavor;
  apiKey?: string;
  reply?: string;
  toolArguments?: Record<string, unknown>;
  parallelToolCalls?: number;
  /** before the response headers */
  latencyMs?: number;
  /** instead of `latencyMs`, per request: to answer concurrent requests out of the order they came in */
  latencyOf?: (request: CapturedRequest) => number;
  /** per request: the failure it answers with (after its latency), or undefined to answer it normally */
  failureOf?: (request: CapturedRequest) => InjectedFailure | undefined;
  /** between two stream events */
  tokenDelayMs?: number;
  /** answer without usage (non-stream and stream), to exercise estimation */
  omitUsage?: boolean;
  /** prompt tokens the (OpenAI-flavoured) fake reports as served from its prompt cache */
  cachedPromptTokens?: number;
  embeddingDimensions?: number;
  models?: string[];
  /**
   * appended to the model name answers carry, the way real APIs answer with the dated snapshot that
   * served an alias ("gpt-4o-mini" → "gpt-4o-mini-2024-07-18"); default none
   */
  snapshotSuffix?: string;
  /** (OpenAI flavor) answer like vLLM: each finished choice says which stop string ended it, `stop_reason` */
  stopReasonField?: boolean;
  /** (OpenAI flavor) /v1/moderations flags an input containing a key in the value's category */
  moderationTriggers?: Record<string, string>;
  /** (OpenAI flavor) the audio length transcriptions report; default the WAV file's own */
  transcriptionSeconds?: number;
  /** (Vertex flavor) lifetime of the access tokens its token endpoint issues; default 3600 */
  tokenLifetimeSeconds?: number;
}

interface FakeSettings extends ScriptOptions {
  apiKey: string;
  latencyMs: number;
  latencyOf?: (request: CapturedRequest) => number;
  failureOf?: (request: CapturedRequest) => InjectedFailure | undefined;
  tokenDelayMs: number;
  omitUsage: boolean;
  cachedPromptTokens: number;
  embeddingDimensions: number;
  models: string[];
  snapshotSuffix: string;
  stopReasonField: boolean;
  moderationTriggers: Record<string, string>;
  transcriptionSeconds?: number;
  tokenLifetimeSeconds: number;
}

export interface CapturedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  rawBody: string;
  /** the body's bytes (multipart uploads) */
  rawBytes: Buffer;
}

interface InjectedFailure {
  status: number;
  message?: string;
  retryAfterSeconds?: number;
  /** how many requests in a row fail (default 1) */
  times?: number;
}

interface StreamFailure {
  /** events sent before the failure */
  afterEvents: number;
  /** an in-stream error event in the flavor's format, or the connection simply dropped */
  mode: 'error_event' | 'drop';
}

export interface FlavorContext {
  request: CapturedRequest;
  res: ServerResponse;
  settings: FakeSettings;
  sendJson(status: number, body: unknown, headers?: Record<string, string>): void;
  sendError(status: number, message: string): void;
  /**
   * writes stream frames (SSE text, or binary event-stream messages with the content-type in `headers`) one
   * by one with the configured delay, honouring an injected stream failure
   */
  stream(frames: (string | Uint8Array)[], headers?: Record<string, string>): Promise<void>;
}

export interface Flavor {
  /** what a client puts in its base URL for this flavor */
  baseUrl(origin: string): string;
  authorized(request: CapturedRequest, apiKey: string): boolean;
  /** the provider's own answer to a key it does not know (status and body, as the real API sends them) */
  authFailure(
    request: CapturedRequest,
    apiKey: string,
  ): { status: number; body: unknown; headers?: Record<string, string> };
  errorBody(status: number, message: string, retryAfterSeconds?: number): unknown;
  /** headers an error answer carries besides its body (AWS names the exception in x-amzn-ErrorType) */
  errorHeaders?(status: number): Record<string, string>;
  /** Retry-After as a header (most) or only inside the body (Gemini) */
  retryAfterInHeader: boolean;
  streamErrorFrame(): string | Uint8Array;
  route(context: FlavorContext): Promise<void> | void;
}

export interface FakeLlm {
  flavor: FakeFlavor;
  /** http://127.0.0.1:port */
  origin: string;
  /** the base URL a credential or SDK uses for this flavor (e.g. origin + "/v1" for OpenAI) */
  baseUrl: string;
  apiKey: string;
  requests: CapturedRequest[];
  /** the most requests it has been answering at one time since it started or since `resetPeak` */
  readonly peakInFlight: number;
  resetPeak(): void;
  lastRequest(): CapturedRequest;
  failNext(failure: InjectedFailure): void;
  failStream(failure: StreamFailure): void;
  configure(options: Partial<Omit<FakeLlmOptions, 'flavor'>>): void;
  close(): Promise<void>;
}

const FLAVORS: Record<FakeFlavor, Flavor> = {
  openai: openaiFlavor,
  azure: azureFlavor,
  mistral: mistralFlavor,
  anthropic: anthropicFlavor,
  gemini: geminiFlavor,
  bedrock: bedrockFlavor,
  vertex: vertexFlavor,
  cohere: cohereFlavor,
};

function settingsFrom(options: Partial<FakeLlmOptions>, previous?: FakeSettings): FakeSettings {
  const base: FakeSettings = previous ?? {
    apiKey: 'sk-fake-llm-key',
    reply: DEFAULT_REPLY,
    toolArguments: { location: 'Paris', unit: 'celsius' },
    parallelToolCalls: 1,
    latencyMs: 0,
    tokenDelayMs: 0,
    omitUsage: false,
    cachedPromptTokens: 0,
    embeddingDimensions: 8,
    models: [],
    snapshotSuffix: '',
    stopReasonField: false,
    moderationTriggers: {},
    tokenLifetimeSeconds: 3600,
  };
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...base, ...defined };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function capture(req: IncomingMessage, rawBytes: Buffer): CapturedRequest {
  const rawBody = rawBytes.toString('utf8');
  const url = new URL(req.url ?? '/', 'http://fake.llm');
  let body: unknown = null;
  try {
    body = rawBody ? JSON.parse(rawBody) : null;
  } catch {
    body = null;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers[name] = value;
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    rawBody,
    rawBytes,
  };
}

export async function startFakeLlm(options: FakeLlmOptions): Promise<FakeLlm> {
  const flavor = FLAVORS[options.flavor];
  let settings = settingsFrom(options);
  const requests: CapturedRequest[] = [];
  const failures: InjectedFailure[] = [];
  let streamFailure: StreamFailure | null = null;
  let inFlight = 0;
  let peakInFlight = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = capture(req, await readBody(req));
    requests.push(request);
    const sendJson = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    };
    const sendError = (status: number, message: string, retryAfterSeconds?: number) => {
      const headers: Record<string, string> = { ...flavor.errorHeaders?.(status) };
      if (retryAfterSeconds !== undefined && flavor.retryAfterInHeader) {
        headers['retry-after'] = String(retryAfterSeconds);
      }
      sendJson(status, flavor.errorBody(status, message, retryAfterSeconds), headers);
    };
    const latency = settings.latencyOf?.(request) ?? settings.latencyMs;
    if (latency > 0) await sleep(latency);
    if (res.destroyed) return;
    if (!flavor.authorized(request, settings.apiKey)) {
      const rejected = flavor.authFailure(request, settings.apiKey);
      sendJson(rejected.status, rejected.body, rejected.headers);
      return;
    }
    const chosen = settings.failureOf?.(request);
    if (chosen) {
      sendError(
        chosen.status,
        chosen.message ?? `Injected failure ${chosen.status}`,
        chosen.retryAfterSeconds,
      );
      return;
    }
    const failure = failures[0];
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) failures.shift();
      sendError(
        failure.status,
        failure.message ?? `Injected failure ${failure.status}`,
        failure.retryAfterSeconds,
      );
      return;
    }
    const context: FlavorContext = {
      request,
      res,
      settings,
      sendJson,
      sendError: (status, message) => sendError(status, message),
      stream: async (frames, headers = {}) => {
        const failing = streamFailure;
        streamFailure = null;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
        for (let i = 0; i < frames.length; i++) {
          if (failing && i === failing.afterEvents) {
            if (failing.mode === 'drop') {
              // Let what was written reach the client first; then cut the connection mid-body.
              await sleep(20);
              res.socket?.destroy();
            } else res.end(flavor.streamErrorFrame());
            return;
          }
          if (res.destroyed) return;
          res.write(frames[i]);
          if (settings.tokenDelayMs > 0 && i < frames.length - 1) await sleep(settings.tokenDelayMs);
        }
        res.end();
      },
    };
    await flavor.route(context);
  }

  const server = createServer((req, res) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    res.once('close', () => inFlight--);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    flavor: options.flavor,
    origin,
    baseUrl: flavor.baseUrl(origin),
    get apiKey() {
      return settings.apiKey;
    },
    requests,
    get peakInFlight() {
      return peakInFlight;
    },
    resetPeak() {
      peakInFlight = inFlight;
    },
    lastRequest() {
      const last = requests[requests.length - 1];
      if (!last) throw new Error('the fake has received no request');
      return last;
    },
    failNext(failure) {
      failures.push({ ...failure });
    },
    failStream(failure) {
      streamFailure = failure;
    },
    configure(changes) {
      settings = settingsFrom(changes, settings);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
