/**
 * OpenAPI fragments made self-contained for MCP: local `$ref`s inlined (a recursive one becomes an
 * open schema, `{}`), OpenAPI 3.0's `nullable` written as JSON Schema's `type: [T, "null"]`. Bounded: a
 * walk has a node budget, and a document whose references fan out past it gets open schemas beyond it,
 * so a tenant's document costs the gateway milliseconds, whatever it holds.
 */
export type JsonSchema = { [key: string]: unknown };

const MAX_DEPTH = 32;
const MAX_REF_HOPS = 8;

/** One resolution's shared state: the document and the nodes it may still visit. */
export interface SchemaWalk {
  readonly spec: unknown;
  nodesLeft: number;
}

export const schemaWalk = (spec: unknown, nodeBudget: number): SchemaWalk => ({
  spec,
  nodesLeft: nodeBudget,
});

function pointerTarget(spec: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = spec;
  for (const raw of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** What a `$ref` object (a path item, a parameter) points at, without resolving anything inside it. */
export function followRefs(spec: unknown, node: unknown): unknown {
  let current = node;
  for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
    const ref = (current as { $ref?: unknown } | null)?.$ref;
    if (typeof current !== 'object' || current === null || typeof ref !== 'string') return current;
    current = pointerTarget(spec, ref);
  }
  return undefined;
}

function resolveNode(node: unknown, walk: SchemaWalk, stack: readonly string[]): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (walk.nodesLeft <= 0 || stack.length > MAX_DEPTH) return {};
  walk.nodesLeft--;
  if (Array.isArray(node)) return node.map((item) => resolveNode(item, walk, stack));
  const record = node as Record<string, unknown>;
  const ref = record.$ref;
  if (typeof ref === 'string') {
    const { $ref: _ref, ...siblings } = record;
    if (!ref.startsWith('#/') || stack.includes(ref)) return resolveNode(siblings, walk, stack);
    const target = resolveNode(pointerTarget(walk.spec, ref), walk, [...stack, ref]);
    const own = resolveNode(siblings, walk, stack) as Record<string, unknown>;
    return typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>), ...own }
      : own;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'nullable') continue;
    out[key] = resolveNode(value, walk, stack);
  }
  if (record.nullable === true && typeof record.type === 'string') out.type = [record.type, 'null'];
  return out;
}

/** `node` with every local reference into the walk's document inlined, within the walk's budget. */
export function resolveIn(walk: SchemaWalk, node: unknown): JsonSchema | undefined {
  const resolved = resolveNode(node, walk, []);
  return typeof resolved === 'object' && resolved !== null && !Array.isArray(resolved)
    ? (resolved as JsonSchema)
    : undefined;
}
