import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callProvider } from '../../../packages/ai/src/call.ts';
import { callEmbeddings } from '../../../packages/ai/src/embeddings.ts';
import { openAIError } from '../../../packages/ai/src/errors.ts';
import { modelList } from '../../../packages/ai/src/models.ts';
import type { ProviderCredential } from '../../../packages/ai/src/providers/types.ts';
import {
  pipeAnthropicStream,
  pipeOpenAIStream,
  sendAnthropicError,
  sendJson,
  sendOpenAIError,
} from '../../../packages/ai/src/respond.ts';
import type { StreamFinal } from '../../../packages/ai/src/stream-call.ts';
import {
  anthropicToUnified,
  parseAnthropicRequest,
} from '../../../packages/ai/src/surfaces/anthropic/request.ts';
import { unifiedToAnthropicMessage } from '../../../packages/ai/src/surfaces/anthropic/response.ts';
import type { TokenUsage } from '../../../packages/ai/src/types.ts';
import { parseChatRequest, parseEmbeddingRequest, parseJsonBody } from '../../../packages/ai/src/validate.ts';

/*
 * A minimal stand-in for the gateway's /v1/* endpoints, built only from @portcullis/ai's public pieces,
 * so tests can point the official openai and @anthropic-ai/sdk clients at it. Routing is a fixed map from
 * the client's model name to a provider, model and credential; auth is one static key.
 */

export interface StandinRoute {
  provider: string;
  model: string;
  credential: ProviderCredential;
}

export interface GatewayStandin {
  url: string;
  apiKey: string;
  /** usage of every finished call, as the gateway would meter it */
  metered: { route: string; usage: TokenUsage; final?: StreamFinal }[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startGatewayStandin(routes: Record<string, StandinRoute>): Promise<GatewayStandin> {
  const apiKey = 'pk_test_standin';
  const metered: GatewayStandin['metered'] = [];

  async function openai(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      sendOpenAIError(res, {
        status: 401,
        body: openAIError('Invalid API key.', 'authentication_error', null, 'invalid_api_key'),
      });
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, modelList(Object.keys(routes).map((id) => ({ id }))));
      return;
    }
    const json = parseJsonBody(await readBody(req));
    if (!json.ok) return sendOpenAIError(res, { status: 400, body: json.error });
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    if (path === '/v1/embeddings') {
      const parsed = parseEmbeddingRequest(json.value);
      if (!parsed.ok) return sendOpenAIError(res, { status: 400, body: parsed.error });
      const route = routeFor(parsed.value.model, res);
      if (!route) return;
      const result = await callEmbeddings({ ...route, request: parsed.value, signal: controller.signal });
      if (!result.ok) return sendOpenAIError(res, result.error);
      metered.push({ route: parsed.value.model, usage: result.value.usage });
      return sendJson(res, 200, result.value.response);
    }
    const parsed = parseChatRequest(json.value);
    if (!parsed.ok) return sendOpenAIError(res, { status: 400, body: parsed.error });
    const route = routeFor(parsed.value.model, res);
    if (!route) return;
    const result = await callProvider({ ...route, request: parsed.value, signal: controller.signal });
    if (!result.ok) return sendOpenAIError(res, result.error);
    if (result.value.kind === 'completion') {
      metered.push({ route: parsed.value.model, usage: result.value.usage });
      return sendJson(res, 200, result.value.completion);
    }
    const final = await pipeOpenAIStream(res, result.value.stream);
    metered.push({ route: parsed.value.model, usage: final.usage, final });
  }

  function routeFor(name: string, res: ServerResponse): StandinRoute | undefined {
    const route = routes[name];
    if (!route) {
      const message = `The model '${name}' does not exist or you do not have access to it.`;
      sendOpenAIError(res, {
        status: 404,
        body: openAIError(message, 'invalid_request_error', 'model', 'model_not_found'),
      });
    }
    return route;
  }

  async function anthropic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const unauthorized = {
      kind: 'upstream' as const,
      provider: 'gateway',
      status: 401,
      upstreamStatus: null,
      retryable: false,
      retryAfterMs: null,
      body: openAIError('invalid x-api-key', 'authentication_error'),
    };
    if (req.headers['x-api-key'] !== apiKey) return sendAnthropicError(res, unauthorized);
    const json = parseJsonBody(await readBody(req));
    const parsed = parseAnthropicRequest(json.ok ? json.value : null);
    if (!parsed.ok) return sendJson(res, 400, parsed.error);
    const route = routes[parsed.value.model];
    if (!route) {
      return sendJson(res, 404, {
        type: 'error',
        error: { type: 'not_found_error', message: `model: ${parsed.value.model}` },
      });
    }
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    const result = await callProvider({
      ...route,
      request: anthropicToUnified(parsed.value),
      signal: controller.signal,
    });
    if (!result.ok) return sendAnthropicError(res, result.error);
    if (result.value.kind === 'completion') {
      metered.push({ route: parsed.value.model, usage: result.value.usage });
      return sendJson(res, 200, unifiedToAnthropicMessage(result.value.completion, result.value.usage));
    }
    const final = await pipeAnthropicStream(res, result.value.stream, parsed.value.model);
    metered.push({ route: parsed.value.model, usage: final.usage, final });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    const handled =
      req.method === 'POST' && path === '/v1/messages'
        ? anthropic(req, res)
        : ['/v1/chat/completions', '/v1/embeddings', '/v1/models'].includes(path)
          ? openai(req, res, path)
          : Promise.resolve(sendJson(res, 404, openAIError(`Unknown path ${path}`, 'invalid_request_error')));
    handled.catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, openAIError(String(error), 'server_error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey,
    metered,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
