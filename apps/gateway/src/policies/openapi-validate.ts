import type { IncomingHttpHeaders } from 'node:http';
import {
  compileTenantPattern,
  type PatternIssue,
  schemaPatternIssues,
  tenantPatternProblem,
  withPatternBudget,
} from '@portcullis/core/tenant-regex';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { FieldError } from '../http/problem.ts';
import { err, ok, type Result } from '../result.ts';
import { type OperationMatch, OperationMatcher, type OperationSpec, resolveRef } from './openapi-match.ts';

type Json = Record<string, unknown>;
type Location = 'path' | 'query' | 'header';

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// ajv-formats is CommonJS; its default import is the plugin function itself.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

/**
 * `pattern` and `patternProperties` run on RE2 (linear time) instead of RegExp. A pattern RE2 cannot run
 * (saved before patterns were checked for it) matches nothing: a value it applies to is refused with a
 * message saying why (see fieldErrors), and a patternProperties entry applies to no property.
 */
export const tenantRegExp = Object.assign(
  (pattern: string, flags: string): { test(input: string): boolean } => {
    const compiled = compileTenantPattern(pattern, flags.includes('u') ? 'unicode' : 'legacy');
    if (compiled.ok) return compiled.regex;
    // Ajv keys compiled patterns by toString()
    return { test: () => false, toString: () => `/${pattern}/unsupported` } as {
      test(input: string): boolean;
    };
  },
  // only standalone code generation (unused here) reads this
  { code: 'tenantRegExp' },
);

/**
 * Pattern work allowed per validated location (parameters of one kind, or the body), in RE2 program
 * size × characters. An ordinary pattern (program size ~10–50) checks megabytes of text with it; what
 * it bounds is a pattern built so that RE2's DFA gives up, which costs ~15 ns per unit (~0.5 s here).
 */
const PATTERN_BUDGET = 2 ** 25;

const tooMuchText = (location: FieldError['in']): FieldError => ({
  in: location,
  name: '',
  message: "holds more text than the gateway checks against this API's patterns in one request",
});

interface CompiledOperation {
  params: Partial<Record<Location, ValidateFunction>>;
  body: ValidateFunction | null;
}

/**
 * One OpenAPI 3.0/3.1 document compiled for request validation. Validators are compiled once per
 * operation on first use and live as long as this object (one per spec version, see validation.ts).
 */
export class RequestValidator {
  private readonly matcher: OperationMatcher;
  /** parameters arrive as strings: coerce them to the declared types; bodies are JSON and are not coerced */
  private readonly paramAjv: Ajv;
  private readonly bodyAjv: Ajv;
  private readonly components: unknown;
  private readonly compiled = new Map<string, CompiledOperation>();

  private constructor(
    spec: Json,
    private readonly openapi31: boolean,
  ) {
    this.matcher = new OperationMatcher(spec);
    this.components = openapi31 ? spec.components : downgradeExclusiveBounds(spec.components);
    const make = (coerce: boolean) => {
      const options = {
        strict: false,
        allErrors: true,
        ...(coerce ? { coerceTypes: 'array' as const } : {}),
        code: { regExp: tenantRegExp },
      };
      const ajv = openapi31 ? new Ajv2020(options) : new Ajv(options);
      return addFormats(ajv as Ajv);
    };
    this.paramAjv = make(true);
    this.bodyAjv = make(false);
  }

  /** Patterns in the document that cannot run on RE2: every value they apply to is refused. */
  static unsupportedPatterns(spec: unknown): PatternIssue[] {
    return schemaPatternIssues(spec);
  }

  static fromSpec(spec: unknown): Result<RequestValidator, string> {
    if (!isObject(spec) || typeof spec.openapi !== 'string') return err('not an OpenAPI 3 document');
    if (/^3\.0\./.test(spec.openapi)) return ok(new RequestValidator(spec, false));
    if (/^3\.1\./.test(spec.openapi)) return ok(new RequestValidator(spec, true));
    return err(`unsupported OpenAPI version ${spec.openapi}`);
  }

  match(method: string, rawPath: string): OperationMatch | null {
    return this.matcher.match(method, rawPath);
  }

  validateParameters(match: OperationMatch, query: string, headers: IncomingHttpHeaders): FieldError[] {
    const compiled = this.compile(match.operation);
    const searchParams = new URLSearchParams(query);
    const values: Record<Location, Json> = { path: { ...match.pathParams }, query: {}, header: {} };
    for (const param of match.operation.parameters) {
      if (param.in === 'query') {
        let found = searchParams.getAll(param.name);
        if (found.length === 0) continue;
        const schema = resolveRef({ components: this.components }, param.schema);
        if (!param.explode && isObject(schema) && schema.type === 'array')
          found = found.flatMap((v) => v.split(','));
        values.query[param.name] = found.length === 1 ? found[0] : found;
      } else if (param.in === 'header') {
        const value = headers[param.name];
        if (value !== undefined) values.header[param.name] = value;
      }
    }
    const errors: FieldError[] = [];
    for (const location of ['path', 'query', 'header'] as const) {
      const validate = compiled.params[location];
      if (validate) errors.push(...run(location, validate, values[location]));
    }
    return errors;
  }

  /** Whether the operation declares a JSON body schema (the body must then be read to validate it). */
  wantsJsonBody(match: OperationMatch): boolean {
    return match.operation.jsonBody !== null;
  }

  validateBody(match: OperationMatch, body: Buffer | null): FieldError[] {
    const spec = match.operation.jsonBody;
    if (!spec) return [];
    if (!body || body.length === 0) {
      return spec.required ? [{ in: 'body', name: '', message: 'request body is required' }] : [];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return [{ in: 'body', name: '', message: 'is not valid JSON' }];
    }
    const validate = this.compile(match.operation).body;
    return validate ? run('body', validate, parsed) : [];
  }

  private compile(operation: OperationSpec): CompiledOperation {
    const cached = this.compiled.get(operation.id);
    if (cached) return cached;
    const params: CompiledOperation['params'] = {};
    for (const location of ['path', 'query', 'header'] as const) {
      const own = operation.parameters.filter((p) => p.in === location);
      if (own.length === 0) continue;
      params[location] = this.paramAjv.compile(
        this.withComponents({
          type: 'object',
          properties: Object.fromEntries(own.map((p) => [p.name, p.schema])),
          required: own.filter((p) => p.required).map((p) => p.name),
        }),
      );
    }
    const body = operation.jsonBody
      ? this.bodyAjv.compile(this.withComponents({ allOf: [operation.jsonBody.schema] }))
      : null;
    const compiled = { params, body };
    this.compiled.set(operation.id, compiled);
    return compiled;
  }

  /** `#/components/...` references inside operation schemas resolve against this wrapper's root. */
  private withComponents(schema: Json): Json {
    const own = this.openapi31 ? schema : (downgradeExclusiveBounds(schema) as Json);
    return { ...own, components: this.components ?? {} };
  }
}

/** OpenAPI 3.0 (draft-04 style) `exclusiveMaximum: true` next to `maximum` → draft-07's numeric form. */
function downgradeExclusiveBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(downgradeExclusiveBounds);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = downgradeExclusiveBounds(value);
  for (const [flag, bound] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (typeof out[flag] !== 'boolean') continue;
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else {
      delete out[flag];
    }
  }
  return out;
}

/** Validates within the pattern budget; running out refuses the location rather than trusting it. */
function run(location: FieldError['in'], validate: ValidateFunction, data: unknown): FieldError[] {
  const { value: valid, exhausted } = withPatternBudget(PATTERN_BUDGET, () => validate(data));
  if (exhausted) return [tooMuchText(location)];
  return valid ? [] : fieldErrors(location, validate.errors);
}

/** Ajv's message, or why the API's own pattern could not be checked. */
function errorMessage(e: ErrorObject): string {
  if (e.keyword === 'pattern') {
    const pattern = String((e.params as { pattern?: unknown }).pattern);
    const problem = tenantPatternProblem(pattern, 'unicode');
    if (problem) {
      return `cannot be checked: the API's pattern "${pattern}" ${problem}; the API's provider must change it`;
    }
  }
  return e.message ?? 'is invalid';
}

function fieldErrors(location: FieldError['in'], errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).slice(0, 20).map((e) => {
    const missing =
      e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty) : '';
    if (location === 'body') {
      return {
        in: location,
        name: missing ? `${e.instancePath}/${missing}` : e.instancePath,
        message: errorMessage(e),
      };
    }
    const name = missing || (e.instancePath.split('/')[1] ?? '').replaceAll('~1', '/').replaceAll('~0', '~');
    return { in: location, name, message: missing ? 'is required' : errorMessage(e) };
  });
}
