/**
 * Reads an OpenAPI 3.x document into what the docs page renders: operations grouped by tag, with
 * parameters, request bodies and responses, their schemas flattened into indented rows, and examples
 * (given ones first, otherwise generated from the schema). Local `$ref`s are followed; recursion is cut
 * where a schema reappears inside itself.
 */

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

export interface SchemaRow {
  /** unique within its table */
  key: string;
  name: string;
  depth: number;
  type: string;
  required: boolean;
  description: string;
  enumValues: string[];
  deprecated: boolean;
}

export interface DocMedia {
  mediaType: string;
  rows: SchemaRow[];
  example: string | null;
}

interface DocParameter {
  name: string;
  in: string;
  required: boolean;
  description: string;
  type: string;
  enumValues: string[];
  example: string | null;
  deprecated: boolean;
}

export interface DocOperation {
  /** DOM id and stable key: `get-pets-petid` */
  id: string;
  method: HttpMethod;
  path: string;
  summary: string;
  description: string;
  deprecated: boolean;
  parameters: DocParameter[];
  requestBody: { required: boolean; description: string; contents: DocMedia[] } | null;
  responses: Array<{ code: string; description: string; contents: DocMedia[] }>;
}

interface DocGroup {
  tag: string;
  description: string;
  operations: DocOperation[];
}

export interface ApiDocument {
  title: string;
  version: string;
  description: string;
  servers: string[];
  groups: DocGroup[];
  operations: DocOperation[];
}

const MAX_DEPTH = 8;
const MAX_ROWS = 400;

/** Follows local `$ref`s; returns the node and the name of the last component it came from. */
function deref(doc: unknown, value: unknown): { node: Node; ref: string | null } {
  let node = value;
  let ref: string | null = null;
  for (let hops = 0; hops < 32 && isNode(node) && typeof node.$ref === 'string'; hops++) {
    ref = node.$ref;
    if (!ref.startsWith('#/')) return { node: {}, ref };
    let target: unknown = doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      target = isNode(target) ? target[key] : undefined;
    }
    node = target;
  }
  return { node: isNode(node) ? node : {}, ref };
}

const refName = (ref: string | null) => (ref ? (ref.split('/').pop() ?? ref) : null);

/** `string (date-time)`, `array of Pet`, `integer | null`, `Pet` … */
export function typeLabel(doc: unknown, raw: unknown): string {
  const { node, ref } = deref(doc, raw);
  const named = refName(ref);
  const types = Array.isArray(node.type)
    ? node.type.map(text).filter(Boolean)
    : text(node.type)
      ? [text(node.type)]
      : [];
  if (node.nullable === true) types.push('null');
  if (types.includes('array') || (!types.length && node.items !== undefined)) {
    const inner = typeLabel(doc, node.items);
    const others = types.filter((t) => t !== 'array');
    return [`array of ${inner}`, ...others].join(' | ');
  }
  if (Array.isArray(node.oneOf) || Array.isArray(node.anyOf)) {
    const options = ((node.oneOf ?? node.anyOf) as unknown[]).map((o) => typeLabel(doc, o));
    return named ?? `one of ${options.join(' | ')}`;
  }
  if (named && (types.includes('object') || isNode(node.properties) || Array.isArray(node.allOf)))
    return named;
  if (!types.length) return isNode(node.properties) || Array.isArray(node.allOf) ? 'object' : 'any';
  const format = text(node.format);
  return types.join(' | ') + (format ? ` (${format})` : '');
}

/** Properties and required names, with allOf members merged in. */
function shape(
  doc: unknown,
  node: Node,
  depth = 0,
): { props: Array<[string, unknown]>; required: Set<string> } {
  const props = new Map<string, unknown>();
  const required = new Set<string>();
  if (Array.isArray(node.allOf) && depth < MAX_DEPTH) {
    for (const member of node.allOf) {
      const inner = shape(doc, deref(doc, member).node, depth + 1);
      for (const [k, v] of inner.props) props.set(k, v);
      for (const r of inner.required) required.add(r);
    }
  }
  if (isNode(node.properties)) for (const [k, v] of Object.entries(node.properties)) props.set(k, v);
  if (Array.isArray(node.required)) for (const r of node.required) if (typeof r === 'string') required.add(r);
  return { props: [...props], required };
}

const enumOf = (node: Node) => (Array.isArray(node.enum) ? node.enum.map((v) => JSON.stringify(v)) : []);

/** A schema as rows: one per property, children indented under their parent (arrays step into items). */
export function schemaRows(doc: unknown, raw: unknown): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const walk = (value: unknown, prefix: string, depth: number, seen: string[]) => {
    if (rows.length >= MAX_ROWS || depth > MAX_DEPTH) return;
    let { node, ref } = deref(doc, value);
    if (ref && seen.includes(ref)) return;
    const trail = ref ? [...seen, ref] : [...seen];
    // Step through arrays to the objects inside them.
    while (node.items !== undefined && !isNode(node.properties)) {
      const inner = deref(doc, node.items);
      if (inner.ref && trail.includes(inner.ref)) return;
      if (inner.ref) trail.push(inner.ref);
      node = inner.node;
      ref = inner.ref;
    }
    const { props, required } = shape(doc, node);
    for (const [name, propRaw] of props) {
      if (rows.length >= MAX_ROWS) return;
      const prop = deref(doc, propRaw);
      const key = prefix ? `${prefix}.${name}` : name;
      rows.push({
        key,
        name,
        depth,
        type: typeLabel(doc, propRaw),
        required: required.has(name),
        description: text(prop.node.description),
        enumValues: enumOf(prop.node),
        deprecated: prop.node.deprecated === true,
      });
      const recursive = prop.ref !== null && trail.includes(prop.ref);
      if (!recursive) walk(propRaw, key, depth + 1, trail);
    }
  };
  walk(raw, '', 0, []);
  return rows;
}

/** A plausible value for a schema: its example, default or first enum value, else one made up by type. */
export function exampleValue(doc: unknown, raw: unknown, depth = 0, seen: string[] = []): unknown {
  const { node, ref } = deref(doc, raw);
  if (node.example !== undefined) return node.example;
  if (Array.isArray(node.examples) && node.examples.length > 0) return node.examples[0];
  if (node.default !== undefined) return node.default;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if ((ref && seen.includes(ref)) || depth > MAX_DEPTH) return null;
  const trail = ref ? [...seen, ref] : seen;
  if (Array.isArray(node.oneOf ?? node.anyOf)) {
    return exampleValue(doc, ((node.oneOf ?? node.anyOf) as unknown[])[0], depth + 1, trail);
  }
  const type = Array.isArray(node.type) ? text(node.type.find((t) => t !== 'null')) : text(node.type);
  if (type === 'array' || (!type && node.items !== undefined)) {
    const item = exampleValue(doc, node.items, depth + 1, trail);
    return item === null ? [] : [item];
  }
  if (type === 'object' || isNode(node.properties) || Array.isArray(node.allOf)) {
    const out: Record<string, unknown> = {};
    for (const [name, prop] of shape(doc, node).props) out[name] = exampleValue(doc, prop, depth + 1, trail);
    return out;
  }
  switch (type) {
    case 'integer':
    case 'number':
      return typeof node.minimum === 'number' ? node.minimum : 0;
    case 'boolean':
      return true;
    case 'string':
      return stringExample(text(node.format));
    default:
      return null;
  }
}

function stringExample(format: string): string {
  switch (format) {
    case 'date-time':
      return '2026-01-01T12:00:00Z';
    case 'date':
      return '2026-01-01';
    case 'email':
      return 'user@example.com';
    case 'uuid':
      return '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    case 'uri':
    case 'url':
      return 'https://example.com';
    default:
      return 'string';
  }
}

const pretty = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

function mediaOf(doc: unknown, content: unknown): DocMedia[] {
  if (!isNode(content)) return [];
  return Object.entries(content).map(([mediaType, raw]) => {
    const media = isNode(raw) ? raw : {};
    const named = isNode(media.examples)
      ? Object.values(media.examples).map((e) => deref(doc, e).node.value)
      : [];
    const given = media.example !== undefined ? media.example : named.find((v) => v !== undefined);
    const example =
      given !== undefined ? given : media.schema !== undefined ? exampleValue(doc, media.schema) : undefined;
    return {
      mediaType,
      rows: media.schema === undefined ? [] : schemaRows(doc, media.schema),
      example: example === undefined || example === null ? null : pretty(example),
    };
  });
}

function parametersOf(doc: unknown, item: Node, op: Node): DocParameter[] {
  const byKey = new Map<string, DocParameter>();
  for (const list of [item.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = deref(doc, raw).node;
      const name = text(p.name);
      const location = text(p.in);
      if (!name || !location) continue;
      const schema = deref(doc, p.schema).node;
      const example =
        p.example ??
        schema.example ??
        schema.default ??
        (Array.isArray(schema.enum) ? schema.enum[0] : undefined);
      byKey.set(`${location}:${name}`, {
        name,
        in: location,
        required: location === 'path' || p.required === true,
        description: text(p.description),
        type: p.schema === undefined ? 'string' : typeLabel(doc, p.schema),
        enumValues: enumOf(schema),
        example:
          example === undefined ? null : typeof example === 'string' ? example : JSON.stringify(example),
        deprecated: p.deprecated === true,
      });
    }
  }
  const order = ['path', 'query', 'header', 'cookie'];
  return [...byKey.values()].sort((a, b) => order.indexOf(a.in) - order.indexOf(b.in));
}

const operationId = (method: string, path: string) =>
  `${method}-${path}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Null when `spec` is not an OpenAPI 3.x object with paths. */
export function readOpenApi(spec: unknown): ApiDocument | null {
  if (!isNode(spec) || !isNode(spec.paths)) return null;
  const info = isNode(spec.info) ? spec.info : {};
  const tagDescriptions = new Map<string, string>();
  if (Array.isArray(spec.tags)) {
    for (const t of spec.tags)
      if (isNode(t) && typeof t.name === 'string') tagDescriptions.set(t.name, text(t.description));
  }
  const groups = new Map<string, DocOperation[]>([...tagDescriptions.keys()].map((tag) => [tag, []]));
  const operations: DocOperation[] = [];
  for (const [path, rawItem] of Object.entries(spec.paths)) {
    const item = deref(spec, rawItem).node;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isNode(op)) continue;
      const body = op.requestBody === undefined ? null : deref(spec, op.requestBody).node;
      const responses = isNode(op.responses) ? op.responses : {};
      const operation: DocOperation = {
        id: operationId(method, path),
        method,
        path,
        summary: text(op.summary),
        description: text(op.description),
        deprecated: op.deprecated === true,
        parameters: parametersOf(spec, item, op),
        requestBody: body
          ? {
              required: body.required === true,
              description: text(body.description),
              contents: mediaOf(spec, body.content),
            }
          : null,
        responses: Object.entries(responses).map(([code, raw]) => {
          const response = deref(spec, raw).node;
          return { code, description: text(response.description), contents: mediaOf(spec, response.content) };
        }),
      };
      operations.push(operation);
      const tags =
        Array.isArray(op.tags) && op.tags.length > 0 ? op.tags.map(text).filter(Boolean) : ['default'];
      for (const tag of tags) groups.set(tag, [...(groups.get(tag) ?? []), operation]);
    }
  }
  return {
    title: text(info.title),
    version: text(info.version),
    description: text(info.description),
    servers: Array.isArray(spec.servers)
      ? spec.servers.map((s) => (isNode(s) ? text(s.url) : '')).filter(Boolean)
      : [],
    groups: [...groups]
      .filter(([, ops]) => ops.length > 0)
      .map(([tag, ops]) => ({ tag, description: tagDescriptions.get(tag) ?? '', operations: ops })),
    operations,
  };
}
