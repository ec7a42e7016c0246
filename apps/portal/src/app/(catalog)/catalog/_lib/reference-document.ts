/**
 * The OpenAPI document as the catalog's API reference shows it: every call goes to the gateway with a
 * Portcullis key, whatever the provider's document says about its own servers and security.
 */

/** The security scheme the reference fills with the developer's key. */
export const KEY_SCHEME = 'portcullisKey';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The gateway base URL without its trailing slash, so `{server}{path}` has one slash between. */
const serverUrl = (gatewayBaseUrl: string) => gatewayBaseUrl.replace(/\/+$/, '');

/**
 * A copy of `spec` whose only server is the gateway and whose every operation asks for the key as a
 * bearer token; null when `spec` is not an OpenAPI 3 document with paths.
 */
export function referenceDocument(spec: unknown, gatewayBaseUrl: string): Json | null {
  if (!isObject(spec) || typeof spec.openapi !== 'string' || !isObject(spec.paths)) return null;
  const doc = structuredClone(spec);
  const components = isObject(doc.components) ? doc.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  doc.components = {
    ...components,
    securitySchemes: {
      ...schemes,
      [KEY_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key of an app subscribed to this API (pk_live_…), sent as a bearer token.',
      },
    },
  };
  doc.servers = [{ url: serverUrl(gatewayBaseUrl), description: 'Portcullis gateway' }];
  doc.security = [{ [KEY_SCHEME]: [] }];
  for (const item of Object.values(doc.paths as Json)) {
    if (!isObject(item)) continue;
    delete item.servers;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      delete operation.servers;
      delete operation.security;
    }
  }
  return doc;
}
