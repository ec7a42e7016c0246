/**
 * Compares two OpenAPI 3.x documents and classifies every difference as breaking or not, from the
 * point of view of an existing client. Requests and responses are judged in opposite directions: a
 * request may be widened safely (the server accepts more), a response may only be narrowed (the client
 * never sees anything it does not know). Local `$ref`s are followed; recursive schemas are compared to a
 * bounded depth.
 */
import {
  type ChangeKind,
  type ChangeLevel,
  compareSchema,
  type DiffSink,
  type Direction,
  isNode,
  type Node,
  resolveRef,
  type SpecChange,
} from './openapi-diff-schema.ts';

export type { SpecChange } from './openapi-diff-schema.ts';

export interface SpecDiff {
  changes: SpecChange[];
  breaking: number;
  nonBreaking: number;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** `/pets/{petId}` and `/pets/{id}` are the same route. */
const routeKey = (path: string) => path.replace(/\{[^}]*\}/g, '{}');

class DiffBuilder implements DiffSink {
  readonly changes: SpecChange[] = [];
  /** `$ref` pairs already compared per operation and direction: recursive schemas are walked once. */
  readonly comparedRefs = new Set<string>();
  constructor(
    readonly before: unknown,
    readonly after: unknown,
  ) {}

  add(level: ChangeLevel, kind: ChangeKind, operation: string, location: string, message: string) {
    this.changes.push({ level, kind, operation, location, message });
  }
}
export function diffOpenApi(before: unknown, after: unknown): SpecDiff {
  const diff = new DiffBuilder(before, after);
  const beforeRoutes = routesOf(before);
  const afterRoutes = routesOf(after);
  for (const [key, old] of beforeRoutes) {
    const next = afterRoutes.get(key);
    for (const method of METHODS) {
      const oldOp = old.item[method];
      if (!isNode(oldOp)) continue;
      const label = `${method.toUpperCase()} ${old.path}`;
      const newOp = next?.item[method];
      if (!next || !isNode(newOp)) {
        diff.add('breaking', 'operation.removed', label, '', `${label} was removed`);
        continue;
      }
      compareOperation(
        diff,
        `${method.toUpperCase()} ${next.path}`,
        { path: old.path, item: old.item, op: oldOp },
        { path: next.path, item: next.item, op: newOp },
      );
    }
  }
  for (const [key, next] of afterRoutes) {
    const old = beforeRoutes.get(key);
    for (const method of METHODS) {
      if (!isNode(next.item[method]) || (old && isNode(old.item[method]))) continue;
      const label = `${method.toUpperCase()} ${next.path}`;
      diff.add('non-breaking', 'operation.added', label, '', `${label} was added`);
    }
  }
  const changes = diff.changes.sort(
    (a, b) =>
      Number(a.level === 'non-breaking') - Number(b.level === 'non-breaking') ||
      a.operation.localeCompare(b.operation) ||
      a.location.localeCompare(b.location),
  );
  const breaking = changes.filter((c) => c.level === 'breaking').length;
  return { changes, breaking, nonBreaking: changes.length - breaking };
}

function routesOf(doc: unknown): Map<string, { path: string; item: Node }> {
  const routes = new Map<string, { path: string; item: Node }>();
  const paths = isNode(doc) && isNode(doc.paths) ? doc.paths : {};
  for (const [path, value] of Object.entries(paths)) {
    const item = resolveRef(doc, value);
    routes.set(routeKey(path), { path, item });
  }
  return routes;
}

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: unknown;
}

/**
 * Path-level parameters, overridden by operation-level ones with the same name and location. Path
 * parameters are keyed by their position in the template: renaming {id} to {petId} changes nothing for
 * a client.
 */
function parametersOf(doc: unknown, path: string, item: Node, op: Node): Map<string, Parameter> {
  const templateNames = [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const out = new Map<string, Parameter>();
  for (const list of [item.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = resolveRef(doc, raw);
      if (typeof p.name !== 'string' || typeof p.in !== 'string') continue;
      const position = templateNames.indexOf(p.name);
      const key =
        p.in === 'path'
          ? `path:${position === -1 ? p.name : `#${position}`}`
          : `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
      out.set(key, {
        name: p.name,
        in: p.in,
        required: p.in === 'path' || p.required === true,
        schema: p.schema,
      });
    }
  }
  return out;
}

interface OperationSide {
  path: string;
  item: Node;
  op: Node;
}

function compareOperation(diff: DiffBuilder, label: string, old: OperationSide, next: OperationSide) {
  if (old.op.deprecated !== true && next.op.deprecated === true) {
    diff.add('non-breaking', 'operation.deprecated', label, '', `${label} is now deprecated`);
  }
  compareParameters(
    diff,
    label,
    parametersOf(diff.before, old.path, old.item, old.op),
    parametersOf(diff.after, next.path, next.item, next.op),
  );
  compareRequestBody(diff, label, old.op.requestBody, next.op.requestBody);
  compareResponses(diff, label, old.op.responses, next.op.responses);
}

function compareParameters(
  diff: DiffBuilder,
  label: string,
  oldParams: Map<string, Parameter>,
  newParams: Map<string, Parameter>,
) {
  for (const [key, old] of oldParams) {
    const where = `${old.in} parameter ${old.name}`;
    const next = newParams.get(key);
    if (!next) {
      diff.add('breaking', 'parameter.removed', label, where, `The ${where} was removed`);
      continue;
    }
    if (!old.required && next.required) {
      diff.add('breaking', 'parameter.required', label, where, `The ${where} is now required`);
    } else if (old.required && !next.required) {
      diff.add('non-breaking', 'parameter.optional', label, where, `The ${where} is now optional`);
    }
    compareSchema(diff, label, where, old.schema, next.schema, 'request', 0);
  }
  for (const [key, next] of newParams) {
    if (oldParams.has(key)) continue;
    const where = `${next.in} parameter ${next.name}`;
    if (next.required) {
      diff.add('breaking', 'parameter.added', label, where, `A new required ${where} was added`);
    } else {
      diff.add('non-breaking', 'parameter.added', label, where, `A new optional ${where} was added`);
    }
  }
}

const contentOf = (node: Node): Node => (isNode(node.content) ? node.content : {});

function compareRequestBody(diff: DiffBuilder, label: string, oldRaw: unknown, newRaw: unknown) {
  const where = 'request body';
  const old = oldRaw === undefined ? null : resolveRef(diff.before, oldRaw);
  const next = newRaw === undefined ? null : resolveRef(diff.after, newRaw);
  if (!old && !next) return;
  if (!next) {
    diff.add('breaking', 'requestBody.removed', label, where, 'The request body was removed');
    return;
  }
  if (!old) {
    if (next.required === true) {
      diff.add('breaking', 'requestBody.required', label, where, 'A required request body was added');
    } else {
      diff.add('non-breaking', 'requestBody.added', label, where, 'An optional request body was added');
    }
    return;
  }
  if (old.required !== true && next.required === true) {
    diff.add('breaking', 'requestBody.required', label, where, 'The request body is now required');
  } else if (old.required === true && next.required !== true) {
    diff.add('non-breaking', 'requestBody.optional', label, where, 'The request body is now optional');
  }
  compareContent(diff, label, where, contentOf(old), contentOf(next), 'request');
}

function compareContent(
  diff: DiffBuilder,
  label: string,
  where: string,
  old: Node,
  next: Node,
  direction: Direction,
) {
  for (const [mediaType, oldMedia] of Object.entries(old)) {
    const at = `${where} ${mediaType}`;
    if (!(mediaType in next)) {
      diff.add('breaking', 'mediaType.removed', label, at, `The ${at} is no longer supported`);
      continue;
    }
    const oldSchema = isNode(oldMedia) ? oldMedia.schema : undefined;
    const newMedia = next[mediaType];
    const newSchema = isNode(newMedia) ? newMedia.schema : undefined;
    compareSchema(diff, label, `${at} body`, oldSchema, newSchema, direction, 0);
  }
  for (const mediaType of Object.keys(next)) {
    if (mediaType in old) continue;
    const at = `${where} ${mediaType}`;
    diff.add('non-breaking', 'mediaType.added', label, at, `The ${at} was added`);
  }
}

function compareResponses(diff: DiffBuilder, label: string, oldRaw: unknown, newRaw: unknown) {
  const old = isNode(oldRaw) ? oldRaw : {};
  const next = isNode(newRaw) ? newRaw : {};
  for (const [code, oldResponse] of Object.entries(old)) {
    const where = `response ${code}`;
    if (!(code in next)) {
      diff.add('breaking', 'response.removed', label, where, `The ${where} was removed`);
      continue;
    }
    const a = resolveRef(diff.before, oldResponse);
    const b = resolveRef(diff.after, next[code]);
    compareContent(diff, label, where, contentOf(a), contentOf(b), 'response');
  }
  for (const code of Object.keys(next)) {
    if (code in old) continue;
    diff.add('non-breaking', 'response.added', label, `response ${code}`, `The response ${code} was added`);
  }
}
