import { API_ENDPOINTS } from './apis';
import { APP_ENDPOINTS } from './apps';
import { CONFIG_ENDPOINTS } from './config';
import type { Endpoint, HttpMethod } from './endpoint';
import { LOG_ENDPOINTS } from './logs';
import { MEMBER_ENDPOINTS } from './members';
import { PLAN_ENDPOINTS } from './plans';
import { PROMPT_VERSION_ENDPOINTS } from './prompt-versions';
import { SUBSCRIPTION_ENDPOINTS } from './subscriptions';
import { USAGE_ENDPOINTS } from './usage';

/**
 * Every operation of the management API. REST routing, the OpenAPI document and the MCP tools are all
 * generated from this list, so adding an endpoint is adding one entry (or one area's array) here.
 */
export const MANAGEMENT_ENDPOINTS: readonly Endpoint[] = [
  ...API_ENDPOINTS,
  ...PROMPT_VERSION_ENDPOINTS,
  ...PLAN_ENDPOINTS,
  ...SUBSCRIPTION_ENDPOINTS,
  ...APP_ENDPOINTS,
  ...MEMBER_ENDPOINTS,
  ...USAGE_ENDPOINTS,
  ...LOG_ENDPOINTS,
  ...CONFIG_ENDPOINTS,
];

interface CompiledRoute {
  endpoint: Endpoint;
  pattern: RegExp;
  names: string[];
}

function compile(endpoint: Endpoint): CompiledRoute {
  const names: string[] = [];
  const source = endpoint.path
    .split('/')
    .map((segment) => {
      const name = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('/');
  return { endpoint, pattern: new RegExp(`^${source}$`), names };
}

export type RouteMatch =
  | { kind: 'found'; endpoint: Endpoint; params: Record<string, string> }
  | { kind: 'wrongMethod'; allow: HttpMethod[] }
  | { kind: 'none' };

/** Finds the endpoint for `method path`; literal segments win over `{param}` ones (`/subscriptions/pending`). */
export function routerOf(endpoints: readonly Endpoint[]) {
  const routes = endpoints
    .map(compile)
    .sort((a, b) => a.names.length - b.names.length || b.endpoint.path.length - a.endpoint.path.length);
  return (method: string, path: string): RouteMatch => {
    const allow = new Set<HttpMethod>();
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(
          route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
        );
      } catch {
        // A malformed %-escape names no resource: not found, whatever the method.
        continue;
      }
      // Nor does an id with a NUL in it (Postgres text cannot hold one).
      if (Object.values(params).some((value) => value.includes('\0'))) continue;
      if (route.endpoint.method !== method) {
        allow.add(route.endpoint.method);
        continue;
      }
      return { kind: 'found', endpoint: route.endpoint, params };
    }
    return allow.size > 0 ? { kind: 'wrongMethod', allow: [...allow].sort() } : { kind: 'none' };
  };
}
