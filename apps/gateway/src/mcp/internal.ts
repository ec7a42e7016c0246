import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { MCP_TOOL_NAME } from '@portcullis/core/mcp/config';

/**
 * The marks of a tools/call the gateway sends to itself (mcp/call.ts): the tool's name, the client's
 * address and a secret only this gateway (and its cluster workers) knows. Without the right secret the
 * other two mean nothing, so a client cannot name a tool (billed per tool) or an address of its own.
 * All three are removed from every request before anything else reads its headers.
 */
export const MCP_TOOL_HEADER = 'x-portcullis-mcp-tool';
export const INTERNAL_SECRET_HEADER = 'x-portcullis-internal';
export const CLIENT_IP_HEADER = 'x-portcullis-client-ip';
const INTERNAL_HEADERS = [MCP_TOOL_HEADER, INTERNAL_SECRET_HEADER, CLIENT_IP_HEADER] as const;

/** 256 random bits, hex: what the cluster primary hands its workers (GATEWAY_INTERNAL_SECRET). */
export const newInternalSecret = () => randomBytes(32).toString('hex');

export interface InternalCall {
  tool: string;
  /** the MCP client's address, as the gateway resolved it at the MCP endpoint */
  clientIp: string | null;
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
  if (presented === undefined && tool === undefined && clientIp === undefined) return null;
  for (const name of INTERNAL_HEADERS) delete headers[name];
  if (!secretMatches(presented, secret) || tool === undefined || !MCP_TOOL_NAME.test(tool)) return null;
  return { tool, clientIp: clientIp && clientIp.length <= 64 ? clientIp : null };
}

/** The headers that mark a loopback tools/call. */
export function internalHeaders(
  secret: string,
  tool: string,
  clientIp: string | null,
): Record<string, string> {
  return {
    [INTERNAL_SECRET_HEADER]: secret,
    [MCP_TOOL_HEADER]: tool,
    ...(clientIp === null ? {} : { [CLIENT_IP_HEADER]: clientIp }),
  };
}
