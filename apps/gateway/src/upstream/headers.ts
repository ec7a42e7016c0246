import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { upstreamTraceHeaders } from '../tracing/propagation.ts';

/** RFC 9110 §7.6.1 hop-by-hop headers: meaningful for one connection only, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Credentials meant for the gateway; the upstream must never see the consumer's key. The marks of the
 * gateway's own MCP tool calls (mcp/internal.ts, already removed by the chain) are listed too.
 */
const GATEWAY_CREDENTIALS = new Set([
  'authorization',
  'x-api-key',
  'x-portcullis-mcp-tool',
  'x-portcullis-internal',
  'x-portcullis-client-ip',
]);

function isHopByHop(name: string, connectionTokens: ReadonlySet<string>): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || connectionTokens.has(name);
}

const NO_TOKENS: ReadonlySet<string> = new Set();
const CLOSE: ReadonlySet<string> = new Set(['close']);

/** Headers listed in `Connection: a, b` are hop-by-hop too. */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // The values nearly every request and response carry, without splitting (keep-alive is hop-by-hop anyway).
  if (value === undefined || value === 'keep-alive') return NO_TOKENS;
  if (value === 'close') return CLOSE;
  const joined = Array.isArray(value) ? value.join(',') : value;
  return new Set(
    joined
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

export interface ForwardingInfo {
  clientIp: string | undefined;
  proto: 'http' | 'https';
  host: string | undefined;
  requestId: string;
  /**
   * With tracing on: the gateway's span as the upstream's parent (W3C `traceparent`). Without it the
   * client's `traceparent` and `tracestate` pass through unchanged.
   */
  traceparent?: string | undefined;
}

/** Builds the upstream request headers: strips credentials and hop-by-hop headers, adds forwarding ones. */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  info: ForwardingInfo,
): Record<string, string | string[]> {
  const tokens = connectionTokens(incoming.connection);
  const trace = info.traceparent === undefined ? undefined : upstreamTraceHeaders(incoming, info.traceparent);
  const out: Record<string, string | string[]> = {};
  for (const rawName of Object.keys(incoming)) {
    const value = incoming[rawName];
    const name = rawName.toLowerCase();
    if (value === undefined || GATEWAY_CREDENTIALS.has(name) || isHopByHop(name, tokens)) continue;
    if (trace && (name === 'traceparent' || name === 'tracestate')) continue;
    // The upstream's own Host comes from its URL; the client's host travels in x-forwarded-host.
    if (name === 'host' || name.startsWith('x-forwarded-') || name === 'x-request-id') continue;
    // Node already answered `Expect: 100-continue` to the client; the upstream gets the body directly.
    if (name === 'expect') continue;
    out[name] = value;
  }
  const priorFor = incoming['x-forwarded-for'];
  const chain = [Array.isArray(priorFor) ? priorFor.join(', ') : priorFor, info.clientIp].filter(Boolean);
  if (chain.length > 0) out['x-forwarded-for'] = chain.join(', ');
  out['x-forwarded-proto'] = info.proto;
  if (info.host) out['x-forwarded-host'] = info.host;
  out['x-request-id'] = info.requestId;
  if (trace) Object.assign(out, trace);
  return out;
}

/** Upstream response headers minus hop-by-hop ones (Node frames the response to the client itself). */
export function downstreamResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const tokens = connectionTokens(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const rawName of Object.keys(upstream)) {
    const value = upstream[rawName];
    const name = rawName.toLowerCase();
    if (value === undefined || isHopByHop(name, tokens)) continue;
    out[name] = value;
  }
  return out;
}
