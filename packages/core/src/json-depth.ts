import { badRequest } from './errors.ts';

/**
 * Bounds on JSON documents tenants store (OpenAPI documents, AI and prompt configs, their JSON Schemas).
 *
 * Prisma's query compiler refuses JSON nested deeper than 128 levels and several readers walk documents
 * recursively (Prisma's own serialisation, JSON.stringify, OpenAPI diffs, the gateway's validator
 * compiler), so a deeply nested upload overflowed the stack and answered 500. 64 levels leave room for
 * the wrappers documents get when stored (audit rows, the OpenAPI document generated around a prompt's
 * schemas) and are far beyond what real OpenAPI documents or JSON Schemas use.
 */
export const MAX_DOCUMENT_DEPTH = 64;
/** Serialised size, counted the way JSON.stringify would write it (escapes aside). */
const MAX_DOCUMENT_BYTES = 1_000_000;

export interface DocumentLimits {
  maxDepth: number;
  maxBytes: number;
}

export interface DocumentProblem {
  /** the top-level key (or index) under which the limit was crossed; null for the root itself */
  field: string | null;
  message: string;
}

const DEFAULT_LIMITS: DocumentLimits = { maxDepth: MAX_DOCUMENT_DEPTH, maxBytes: MAX_DOCUMENT_BYTES };

function scalarBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return String(value).length;
  if (typeof value === 'boolean') return value ? 4 : 5;
  return 4; // null (undefined and functions are dropped by JSON; counting them costs nothing)
}

/**
 * The first way `value` breaks the limits, or null. Walks the document with an explicit stack, so it
 * never recurses itself, and stops at the first container past the depth limit or once the size is
 * exceeded: the work is bounded by the limits, not by the document.
 */
export function documentProblem(
  value: unknown,
  limits: DocumentLimits = DEFAULT_LIMITS,
): DocumentProblem | null {
  const tooLarge = (field: string | null): DocumentProblem => ({
    field,
    message: `The document is larger than ${sizeText(limits.maxBytes)}`,
  });
  const stack: Array<{ value: unknown; depth: number; field: string | null }> = [
    { value, depth: 0, field: null },
  ];
  let bytes = 0;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const current = node.value;
    if (typeof current !== 'object' || current === null) {
      bytes += scalarBytes(current);
      if (bytes > limits.maxBytes) return tooLarge(node.field);
      continue;
    }
    const depth = node.depth + 1;
    if (depth > limits.maxDepth) {
      return { field: node.field, message: `The document nests deeper than ${limits.maxDepth} levels` };
    }
    bytes += 2;
    const entries = Array.isArray(current) ? current.entries() : Object.entries(current);
    let separator = 0;
    for (const [key, child] of entries) {
      // a comma before every entry but the first; objects add the quoted key and a colon
      bytes += separator + (typeof key === 'string' ? key.length + 3 : 0);
      separator = 1;
      if (bytes > limits.maxBytes) return tooLarge(node.field);
      stack.push({ value: child, depth, field: node.field ?? String(key) });
    }
  }
  return null;
}

const sizeText = (bytes: number) =>
  bytes >= 1_000_000 ? `${bytes / 1_000_000} MB` : `${Math.round(bytes / 1000)} kB`;

/**
 * Throws a 400 when a tenant's document breaks the limits. The field is the document's top-level key
 * where it happened (forms show the message there), else `field`.
 */
export function assertDocumentShape(value: unknown, field: string, topLevelFields = true): void {
  const problem = documentProblem(value);
  if (!problem) return;
  const where = topLevelFields && problem.field !== null ? problem.field : field;
  throw badRequest(problem.message, { [where]: problem.message });
}
