/** Schema-level comparison for openapi-diff.ts: types, enums, object properties, array items. */

export type Node = Record<string, unknown>;
export type Direction = 'request' | 'response';

export type ChangeLevel = 'breaking' | 'non-breaking';
export type ChangeKind =
  | 'operation.removed'
  | 'operation.added'
  | 'operation.deprecated'
  | 'parameter.removed'
  | 'parameter.added'
  | 'parameter.required'
  | 'parameter.optional'
  | 'requestBody.removed'
  | 'requestBody.added'
  | 'requestBody.required'
  | 'requestBody.optional'
  | 'mediaType.removed'
  | 'mediaType.added'
  | 'response.removed'
  | 'response.added'
  | 'property.removed'
  | 'property.added'
  | 'property.required'
  | 'property.optional'
  | 'type.changed'
  | 'enum.removed'
  | 'enum.added'
  | 'enum.constrained'
  | 'enum.unconstrained';

export interface SpecChange {
  level: ChangeLevel;
  kind: ChangeKind;
  /** `GET /pets/{id}` as written in the document that has it */
  operation: string;
  /** where inside the operation: `query parameter limit`, `response 200 application/json body.items[].id` */
  location: string;
  message: string;
}

/** Where changes are collected, and the two documents their `$ref`s resolve against. */
export interface DiffSink {
  readonly before: unknown;
  readonly after: unknown;
  /** `$ref` pairs already compared per operation and direction: recursive schemas are walked once. */
  readonly comparedRefs: Set<string>;
  add(level: ChangeLevel, kind: ChangeKind, operation: string, location: string, message: string): void;
}

const MAX_SCHEMA_DEPTH = 24;
const MAX_REF_HOPS = 32;

export const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Follows local `$ref`s (`#/components/schemas/Pet`); null when one cannot be resolved here. */
function followRef(doc: unknown, value: unknown): Node | null {
  let node = value;
  for (let hops = 0; hops < MAX_REF_HOPS && isNode(node) && typeof node.$ref === 'string'; hops++) {
    const ref = node.$ref;
    if (!ref.startsWith('#/')) return null;
    let target: unknown = doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      target = isNode(target) ? target[key] : undefined;
    }
    node = target;
  }
  return isNode(node) && typeof node.$ref !== 'string' ? node : null;
}

/** `followRef`, with `{}` for what cannot be resolved (external files, typos, cycles of refs). */
export const resolveRef = (doc: unknown, value: unknown): Node => followRef(doc, value) ?? {};

/** The JSON types a schema admits, or null when it does not say (anything goes). */
function typesOf(schema: Node): Set<string> | null {
  const types = new Set<string>();
  if (typeof schema.type === 'string') {
    types.add(schema.type);
  } else if (Array.isArray(schema.type)) {
    for (const t of schema.type) if (typeof t === 'string') types.add(t);
  } else if (isNode(schema.properties)) {
    types.add('object');
  } else if (schema.items !== undefined) {
    types.add('array');
  }
  if (types.size === 0) return null;
  if (schema.nullable === true) types.add('null');
  return types;
}

/** Properties and required names, with `allOf` members merged in (composition by extension). */
function objectShape(
  doc: unknown,
  schema: Node,
  depth = 0,
): { props: Map<string, unknown>; required: Set<string> } {
  const props = new Map<string, unknown>();
  const required = new Set<string>();
  if (isNode(schema.properties)) for (const [k, v] of Object.entries(schema.properties)) props.set(k, v);
  if (Array.isArray(schema.required))
    for (const r of schema.required) if (typeof r === 'string') required.add(r);
  if (Array.isArray(schema.allOf) && depth < MAX_SCHEMA_DEPTH) {
    for (const member of schema.allOf) {
      const inner = objectShape(doc, resolveRef(doc, member), depth + 1);
      for (const [k, v] of inner.props) if (!props.has(k)) props.set(k, v);
      for (const r of inner.required) required.add(r);
    }
  }
  return { props, required };
}

const enumOf = (schema: Node): unknown[] | null => (Array.isArray(schema.enum) ? schema.enum : null);
const show = (value: unknown) => JSON.stringify(value);

export function compareSchema(
  diff: DiffSink,
  label: string,
  where: string,
  oldRaw: unknown,
  newRaw: unknown,
  direction: Direction,
  depth: number,
) {
  if (depth > MAX_SCHEMA_DEPTH || oldRaw === undefined || newRaw === undefined) return;
  const oldRef = isNode(oldRaw) && typeof oldRaw.$ref === 'string' ? oldRaw.$ref : null;
  const newRef = isNode(newRaw) && typeof newRaw.$ref === 'string' ? newRaw.$ref : null;
  if (oldRef && newRef) {
    const pair = `${label}|${direction}|${oldRef}|${newRef}`;
    if (diff.comparedRefs.has(pair)) return;
    diff.comparedRefs.add(pair);
  }
  const old = followRef(diff.before, oldRaw);
  const next = followRef(diff.after, newRaw);
  // A schema this document cannot show is not evidence of a change.
  if (!old || !next) return;

  const oldTypes = typesOf(old);
  const newTypes = typesOf(next);
  if (oldTypes && newTypes) {
    const dropped = [...oldTypes].filter((t) => !newTypes.has(t));
    const added = [...newTypes].filter((t) => !oldTypes.has(t));
    if (dropped.length > 0 || added.length > 0) {
      // A request that used to be valid must stay valid; a response may not start carrying new types.
      const breaks = direction === 'request' ? dropped.length > 0 : added.length > 0;
      const from = [...oldTypes].join(' | ');
      const to = [...newTypes].join(' | ');
      diff.add(
        breaks ? 'breaking' : 'non-breaking',
        'type.changed',
        label,
        where,
        `The type of ${where} changed from ${from} to ${to}`,
      );
    }
  }

  compareEnum(diff, label, where, enumOf(old), enumOf(next), direction);

  if (oldTypes?.has('object') || newTypes?.has('object') || old.allOf || next.allOf) {
    compareObject(diff, label, where, old, next, direction, depth);
  }
  if (old.items !== undefined && next.items !== undefined) {
    compareSchema(diff, label, `${where}[]`, old.items, next.items, direction, depth + 1);
  }
}

function compareEnum(
  diff: DiffSink,
  label: string,
  where: string,
  old: unknown[] | null,
  next: unknown[] | null,
  direction: Direction,
) {
  if (!old && !next) return;
  if (old && next) {
    const nextKeys = new Set(next.map(show));
    const oldKeys = new Set(old.map(show));
    for (const value of old) {
      if (!nextKeys.has(show(value))) {
        diff.add(
          'breaking',
          'enum.removed',
          label,
          where,
          `The value ${show(value)} was removed from ${where}`,
        );
      }
    }
    for (const value of next) {
      if (!oldKeys.has(show(value))) {
        diff.add(
          'non-breaking',
          'enum.added',
          label,
          where,
          `The value ${show(value)} was added to ${where}`,
        );
      }
    }
    return;
  }
  if (next) {
    // A request field that took any value now takes only a few.
    const level = direction === 'request' ? 'breaking' : 'non-breaking';
    diff.add(
      level,
      'enum.constrained',
      label,
      where,
      `${where} now only allows ${next.map(show).join(', ')}`,
    );
  } else {
    const level = direction === 'response' ? 'breaking' : 'non-breaking';
    diff.add(level, 'enum.unconstrained', label, where, `${where} is no longer limited to a list of values`);
  }
}

function compareObject(
  diff: DiffSink,
  label: string,
  where: string,
  old: Node,
  next: Node,
  direction: Direction,
  depth: number,
) {
  const a = objectShape(diff.before, old);
  const b = objectShape(diff.after, next);
  for (const [name, oldProp] of a.props) {
    const at = `${where}.${name}`;
    if (!b.props.has(name)) {
      // Clients may rely on a response field; a request field the server ignores harms nobody.
      const level = direction === 'response' ? 'breaking' : 'non-breaking';
      diff.add(level, 'property.removed', label, at, `The property ${at} was removed`);
      continue;
    }
    const wasRequired = a.required.has(name);
    const isRequired = b.required.has(name);
    if (!wasRequired && isRequired) {
      const level = direction === 'request' ? 'breaking' : 'non-breaking';
      diff.add(level, 'property.required', label, at, `The property ${at} is now required`);
    } else if (wasRequired && !isRequired) {
      const level = direction === 'response' ? 'breaking' : 'non-breaking';
      const message =
        direction === 'response'
          ? `The property ${at} may now be absent`
          : `The property ${at} is now optional`;
      diff.add(level, 'property.optional', label, at, message);
    }
    compareSchema(diff, label, at, oldProp, b.props.get(name), direction, depth + 1);
  }
  for (const name of b.props.keys()) {
    if (a.props.has(name)) continue;
    const at = `${where}.${name}`;
    if (direction === 'request' && b.required.has(name)) {
      diff.add('breaking', 'property.added', label, at, `A new required property ${at} was added`);
    } else {
      diff.add('non-breaking', 'property.added', label, at, `The property ${at} was added`);
    }
  }
}
