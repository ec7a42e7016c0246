/** Finding the OpenAPI operation for a request: path templates, methods, parameters, request bodies. */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: unknown;
  /** query arrays: `a=1&a=2` (explode, the default) or `a=1,2` */
  explode: boolean;
}

export interface OperationSpec {
  /** template and method, e.g. `GET /items/{id}`: the compiled-validator cache key */
  id: string;
  parameters: ParameterSpec[];
  /** JSON request body schema, when the operation declares one */
  jsonBody: { schema: unknown; required: boolean } | null;
}

type Segment = { literal: string } | { param: string };

interface CompiledTemplate {
  template: string;
  segments: Segment[];
  literalCount: number;
  pathItem: Json;
}

export interface OperationMatch {
  operation: OperationSpec;
  pathParams: Record<string, string>;
}

/** Follows a local `#/components/...` reference; anything else is returned as is. */
export function resolveRef(spec: Json, value: unknown, depth = 0): unknown {
  if (!isObject(value) || typeof value.$ref !== 'string' || depth > 20) return value;
  const ref = value.$ref;
  if (!ref.startsWith('#/')) return value;
  let node: unknown = spec;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return resolveRef(spec, node, depth + 1);
}

const JSON_MEDIA = /^application\/(?:[\w.+-]*\+)?json$/i;
export const isJsonMediaType = (contentType: string | undefined): boolean =>
  contentType !== undefined && JSON_MEDIA.test(contentType.split(';')[0]?.trim() ?? '');

/** Path templates of one OpenAPI document, most specific first (literal segments beat parameters). */
export class OperationMatcher {
  private readonly templates: CompiledTemplate[];
  private readonly basePaths: string[];
  private readonly operations = new Map<string, OperationSpec>();

  constructor(private readonly spec: Json) {
    const paths = isObject(spec.paths) ? spec.paths : {};
    this.templates = Object.entries(paths)
      .filter((entry): entry is [string, Json] => isObject(entry[1]) && entry[0].startsWith('/'))
      .map(([template, pathItem]) => {
        const segments = template
          .split('/')
          .slice(1)
          .map((segment): Segment => {
            const param = /^\{([^}]+)\}$/.exec(segment)?.[1];
            return param ? { param } : { literal: segment };
          });
        const literalCount = segments.filter((s) => 'literal' in s).length;
        return { template, segments, literalCount, pathItem: resolveRef(spec, pathItem) as Json };
      })
      .sort((a, b) => b.literalCount - a.literalCount);
    // A server URL with a path (`/v1`) prefixes every template.
    const servers = Array.isArray(spec.servers) ? spec.servers : [];
    this.basePaths = servers
      .map((server) => (isObject(server) && typeof server.url === 'string' ? server.url : ''))
      .map((url) => new URL(url, 'http://base.invalid').pathname.replace(/\/+$/, ''))
      .filter((path) => path !== '');
  }

  /** The operation for a method and a (still percent-encoded) path, or null when the spec has none. */
  match(method: string, rawPath: string): OperationMatch | null {
    const candidates = [rawPath || '/'];
    for (const base of this.basePaths) {
      if (rawPath === base || rawPath.startsWith(`${base}/`))
        candidates.push(rawPath.slice(base.length) || '/');
    }
    for (const path of candidates) {
      const found = this.matchPath(method.toLowerCase(), path);
      if (found) return found;
    }
    return null;
  }

  private matchPath(method: string, path: string): OperationMatch | null {
    const parts = path.split('/').slice(1);
    for (const compiled of this.templates) {
      const segments = compiled.segments;
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < segments.length && matched; i++) {
        const segment = segments[i];
        const part = parts[i] ?? '';
        if (!segment) matched = false;
        else if ('literal' in segment) matched = segment.literal === part;
        else if (part === '') matched = false;
        else params[segment.param] = safeDecode(part);
      }
      if (!matched) continue;
      const opMethod = method === 'head' && !isObject(compiled.pathItem.head) ? 'get' : method;
      if (!METHODS.has(opMethod) || !isObject(compiled.pathItem[opMethod])) continue;
      return { operation: this.operation(compiled, opMethod), pathParams: params };
    }
    return null;
  }

  private operation(compiled: CompiledTemplate, method: string): OperationSpec {
    const id = `${method.toUpperCase()} ${compiled.template}`;
    const cached = this.operations.get(id);
    if (cached) return cached;
    const op = compiled.pathItem[method] as Json;
    const byKey = new Map<string, ParameterSpec>();
    for (const list of [compiled.pathItem.parameters, op.parameters]) {
      if (!Array.isArray(list)) continue;
      for (const raw of list) {
        const param = resolveRef(this.spec, raw);
        if (!isObject(param) || typeof param.name !== 'string') continue;
        if (param.in !== 'path' && param.in !== 'query' && param.in !== 'header') continue;
        const name = param.in === 'header' ? param.name.toLowerCase() : param.name;
        byKey.set(`${param.in}:${name}`, {
          name,
          in: param.in,
          required: param.in === 'path' || param.required === true,
          schema: param.schema ?? {},
          explode: param.explode !== false,
        });
      }
    }
    const operation: OperationSpec = { id, parameters: [...byKey.values()], jsonBody: this.jsonBody(op) };
    this.operations.set(id, operation);
    return operation;
  }

  private jsonBody(op: Json): OperationSpec['jsonBody'] {
    const body = resolveRef(this.spec, op.requestBody);
    if (!isObject(body) || !isObject(body.content)) return null;
    const entry = Object.entries(body.content).find(([type]) => isJsonMediaType(type));
    if (!entry || !isObject(entry[1])) return null;
    return { schema: entry[1].schema ?? {}, required: body.required === true };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
