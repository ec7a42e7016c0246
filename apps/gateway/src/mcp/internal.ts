import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { MCP_TOOL_NAME } from '@portcullis/core/mcp/config';

/**
 * The marks of a tools/call the gateway sends to itself (mcp/call.ts): the tool's name, the client's
 * address, the host and protocol it reached the MCP endpoint with, and a secret only this gateway (and
 * its cluster workers) knows. Without the right secret the others mean nothing, so a client cannot
 * name a tool (billed per tool), an address, host or protocol of its own. All are removed from every
 * request before anything else reads its headers.
 */
const MCP_TOOL_HEADER = 'x-portcullis-mcp-tool';
const INTERNAL_SECRET_HEADER = 'x-portcullis-internal';
const CLIENT_IP_HEADER = 'x-portcullis-client-ip';
const HOST_HEADER = 'x-portcullis-host';
const PROTO_HEADER = 'x-portcullis-proto';
const INTERNAL_HEADERS = [
  MCP_TOOL_HEADER,
  INTERNAL_SECRET_HEADER,
  CLIENT_IP_HEADER,
  HOST_HEADER,
  PROTO_HEADER,
] as const;
// a Host header: a DNS name or an address, with an optional port
const HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;

/** 256 random bits, hex: what the cluster primary hands its workers (GATEWAY_INTERNAL_SECRET). */
export const newInternalSecret = () => randomBytes(32).toString('hex');

/** Where the MCP client sent its tools/call: what the upstream's X-Forwarded-Host / -Proto say. */
export interface ClientOrigin {
  clientIp: string | null;
  host: string | undefined;
  proto: 'http' | 'https';
}

export interface InternalCall extends ClientOrigin {
  tool: string;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value);

function secretMatches(presented: string | undefined, secret: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The tool call this request is, when it carries the gateway's secret; null otherwise. Either way the
 * internal headers are gone from `headers` afterwards, so they never reach an upstream.
 */
export function takeInternalCall(headers: IncomingHttpHeaders, secret: string): InternalCall | null {
  const presented = single(headers[INTERNAL_SECRET_HEADER]);
  const tool = single(headers[MCP_TOOL_HEADER]);
  const clientIp = single(headers[CLIENT_IP_HEADER]);
  const host = single(headers[HOST_HEADER]);
  const proto = single(headers[PROTO_HEADER]);
  if (!INTERNAL_HEADERS.some((name) => headers[name] !== undefined)) return null;
  for (const name of INTERNAL_HEADERS) delete headers[name];
  if (!secretMatches(presented, secret) || tool === undefined || !MCP_TOOL_NAME.test(tool)) return null;
  return {
    tool,
    clientIp: clientIp && clientIp.length <= 64 ? clientIp : null,
    host: host !== undefined && HOST.test(host) ? host : undefined,
    proto: proto === 'https' ? 'https' : 'http',
  };
}

/** The headers that mark a loopback tools/call. */
export function internalHeaders(secret: string, tool: string, origin: ClientOrigin): Record<string, string> {
  return {
    [INTERNAL_SECRET_HEADER]: secret,
    [MCP_TOOL_HEADER]: tool,
    [PROTO_HEADER]: origin.proto,
    ...(origin.clientIp === null ? {} : { [CLIENT_IP_HEADER]: origin.clientIp }),
    ...(origin.host === undefined ? {} : { [HOST_HEADER]: origin.host }),
  };
}
