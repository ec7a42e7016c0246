/**
 * Where consumers call an API. With per-org hosts (GATEWAY_ORG_HOST_SUFFIX) each tenant has its own
 * origin, `{org}.<suffix>`, and the path starts with the API; otherwise every tenant shares the gateway's
 * origin and the path names the org. Scheme, port and any base path come from GATEWAY_PUBLIC_URL.
 */
export function gatewayApiBaseUrl(
  gateway: { publicUrl: string; orgHostSuffix?: string | undefined },
  orgSlug: string,
  apiSlug: string,
): string {
  const url = new URL(gateway.publicUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  if (!gateway.orgHostSuffix) return `${url.origin}${basePath}/${orgSlug}/${apiSlug}/`;
  url.hostname = `${orgSlug}.${gateway.orgHostSuffix}`;
  return `${url.origin}${basePath}/${apiSlug}/`;
}

/** An API's own MCP server: `{api base}mcp` (the tools of that API only). */
export function gatewayApiMcpUrl(
  gateway: { publicUrl: string; orgHostSuffix?: string | undefined },
  orgSlug: string,
  apiSlug: string,
): string {
  return `${gatewayApiBaseUrl(gateway, orgSlug, apiSlug)}mcp`;
}

/** The app-level MCP server: one URL whose tools are those of every API the key's app subscribes to. */
export function gatewayAppMcpUrl(gateway: { publicUrl: string }): string {
  const url = new URL(gateway.publicUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/mcp`;
}
