/**
 * OpenAPI fragments made self-contained for MCP: local `$ref`s inlined (a recursive one becomes an
 * open schema, `{}`), OpenAPI 3.0's `nullable` written as JSON Schema's `type: [T, "null"]`. Bounded:
 * a document whose references fan out past the node budget gets open schemas beyond it, never a hang.
 */
export type JsonSchema = { [key: string]: unknown };

const MAX_DEPTH = 32;
const NODE_BUDGET = 20_000;

function pointerTarget(spec: unknown, ref: string): unknown {
  let node: unknown = spec;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

interface Walk {
  spec: unknown;
  nodes: number;
}

function resolveNode(node: unknown, walk: Walk, stack: readonly string[]): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (++walk.nodes > NODE_BUDGET || stack.length > MAX_DEPTH) return {};
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

/** `node` with every local reference into `spec` inlined. */
export function resolveSchema(node: unknown, spec: unknown): JsonSchema | undefined {
  const resolved = resolveNode(node, { spec, nodes: 0 }, []);
  return typeof resolved === 'object' && resolved !== null && !Array.isArray(resolved)
    ? (resolved as JsonSchema)
    : undefined;
}
