import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { requestForToolCall } from '@portcullis/core/mcp/tools';
import { type Dispatcher, request } from 'undici';
import type { OfferedTool } from './catalog.ts';
import type { InFlightCap, ToolCallsInFlight } from './in-flight.ts';
import { type ClientOrigin, internalHeaders } from './internal.ts';
import {
  argumentError,
  MAX_AI_ANSWER,
  MAX_RESULT_TEXT,
  resultOf,
  type ToolAnswer,
  toolError,
} from './result.ts';

/**
 * tools/call as one request through this gateway's own chain (`/{org}/{api}{path}` with the caller's
 * key): key, subscription, limits, quota, policies, upstream, usage event and request log apply exactly
 * as to any call, once. The internal headers make the chain record the tool (mcp/internal.ts).
 */
export interface ToolCaller {
  /** where this gateway listens (set once it does); any worker of a cluster may take the call */
  baseUrl: () => string;
  secret: string;
  dispatcher: Dispatcher;
  /** the longest a call may take, head and body: beyond the upstream timeout, for the chain's own work */
  timeoutMs: number;
  /** the caps on calls in flight (per key, per API, in all), this process's */
  inFlight: ToolCallsInFlight;
}

/** Who calls, and where they sent the call (the upstream's X-Forwarded-For / -Host / -Proto). */
export interface Caller extends ClientOrigin {
  /** the key as the client presented it */
  apiKey: string;
  keyId: string;
}

export async function callTool(
  caller: ToolCaller,
  tool: OfferedTool,
  args: unknown,
  who: Caller,
): Promise<CallToolResult> {
  const built = requestForToolCall(tool.def, args);
  if (!built.ok) return argumentError(built.error.field, built.error.message);
  const { method, path, query, headers, body } = built.value;
  // An operation at the API's `/mcp` is shadowed by its MCP endpoint: calling it would call MCP again.
  if (path === '/mcp')
    return toolError("This operation's path is the API's MCP endpoint; it cannot be called as a tool.");
  const search = query.size > 0 ? `?${query.toString()}` : '';
  const base = `/${tool.orgSlug}/${tool.apiSlug}/`;
  const url = new URL(`${caller.baseUrl()}/${tool.orgSlug}/${tool.apiSlug}${path}${search}`);
  // The URL parser resolves dot segments (also %2e): a tenant's path template must not reach another API.
  if (!url.pathname.startsWith(base))
    return toolError("This operation's path leaves its API; it cannot be called as a tool.");
  const slot = caller.inFlight.take(who.keyId, `${tool.orgSlug}/${tool.apiSlug}`);
  if (!slot.ok) return toolError(TOO_MANY[slot.error]);
  // An AI API's call may take as long as its routes allow, and its answer is read whole to be cut as text.
  const timeoutMs = Math.max(caller.timeoutMs, tool.def.ai?.timeoutMs ?? 0);
  const readLimit = tool.def.ai ? MAX_AI_ANSWER : MAX_RESULT_TEXT + 1;
  let answer: ToolAnswer;
  try {
    const response = await request(url, {
      method: method.toUpperCase() as Dispatcher.HttpMethod,
      headers: {
        ...headers,
        accept: headers.accept ?? 'application/json, */*;q=0.8',
        authorization: `Bearer ${who.apiKey}`,
        ...internalHeaders(caller.secret, tool.def.name, who),
      },
      body: body ?? null,
      dispatcher: caller.dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const read = await readCapped(response.body, readLimit);
    const contentType = header(response.headers['content-type']);
    answer = {
      status: response.statusCode,
      contentType,
      retryAfter: header(response.headers['retry-after']),
      body: read.text,
      truncated: read.truncated,
      gatewayCode: contentType?.startsWith('application/problem+json') ? problemCode(read.text) : undefined,
    };
  } catch {
    return toolError(
      'The tool call could not be completed: the gateway did not answer in time. Retry later.',
    );
  } finally {
    slot.value();
  }
  return resultOf(tool.def, answer);
}

const TOO_MANY: Record<InFlightCap, string> = {
  key: 'Too many tool calls in flight for this key; retry when one has finished.',
  api: "Too many tool calls in flight for this tool's API; retry shortly.",
  total: 'Too many tool calls in flight at this gateway; retry shortly.',
};

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Reads at most `limit` bytes, then stops the download: a tool result is text for a model, not a file. */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) {
      body.destroy();
      const all = Buffer.concat(chunks).subarray(0, limit);
      return { text: all.toString('utf8'), truncated: true };
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function problemCode(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}
