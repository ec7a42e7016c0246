import { parseDocument } from 'yaml';
import { badRequest } from './errors.ts';
import { assertDocumentShape } from './json-depth.ts';
import { issueLocation, schemaPatternIssues } from './tenant-regex.ts';

/**
 * An OpenAPI 3.0/3.1 document pasted or uploaded as JSON or YAML, checked and turned into the JSON
 * object the platform stores (Api.openapiSpec). Every refusal is a 400 whose field message says what
 * is wrong and, for syntax errors, at which line and column.
 */

export type OpenApiFormat = 'json' | 'yaml';

export interface ParsedOpenApi {
  document: Record<string, unknown>;
  format: OpenApiFormat;
}

/** JSON when the text starts like a JSON object or array; YAML otherwise (JSON is valid YAML too). */
export function detectFormat(text: string): OpenApiFormat {
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

/** Line and column (both from 1) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function syntaxError(field: string, format: OpenApiFormat, detail: string) {
  const what = format === 'json' ? 'JSON' : 'YAML';
  return badRequest(`The document is not valid ${what}`, { [field]: `Not valid ${what}: ${detail}` });
}

function parseJsonText(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : 'parse error';
    // V8 names a character offset ("… at position 42"); people look for lines.
    const position = /at position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : /end of JSON input/.test(message) ? text.length : null;
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    if (offset === null) throw syntaxError(field, 'json', reason);
    const { line, column } = lineColumn(text, offset);
    throw syntaxError(field, 'json', `${reason} at line ${line}, column ${column}`);
  }
}

function parseYamlText(text: string, field: string): unknown {
  let value: unknown;
  let failure: string | null = null;
  try {
    // YAML 1.2 core schema: no dates or binary; aliases are capped so an alias bomb cannot expand.
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    const first = doc.errors[0];
    if (first) {
      const at = first.linePos?.[0];
      const reason =
        first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'parse error';
      failure = at ? `${reason} at line ${at.line}, column ${at.col}` : reason;
    } else {
      value = doc.toJS({ maxAliasCount: 100 });
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : 'parse error';
  }
  if (failure !== null && /call stack/i.test(failure)) {
    throw badRequest('The document nests too deeply', { [field]: 'The document nests too deeply' });
  }
  if (failure !== null) throw syntaxError(field, 'yaml', failure);
  // Through JSON once: what is stored is exactly what JSON can hold (.inf and .nan become null).
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * Parses and checks an OpenAPI 3.0/3.1 document given as JSON or YAML text. `field` names the form
 * field the errors belong to.
 */
export function parseOpenApiText(text: string, field = 'document'): ParsedOpenApi {
  if (text.trim() === '')
    throw badRequest('The document is empty', { [field]: 'Paste or upload a document' });
  const format = detectFormat(text);
  const parsed = format === 'json' ? parseJsonText(text, field) : parseYamlText(text, field);
  assertDocumentShape(parsed, field, false);
  const problem = (message: string) =>
    badRequest('The document is not an OpenAPI 3 document', { [field]: message });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw problem(`The document must be ${format === 'json' ? 'a JSON object' : 'a YAML mapping'}`);
  }
  const doc = parsed as Record<string, unknown>;
  if (typeof doc.swagger === 'string') {
    throw problem(`Swagger ${doc.swagger} documents are not supported: convert it to OpenAPI 3.0 or 3.1`);
  }
  if (typeof doc.openapi !== 'string' || !/^3\.[01](\.\d+)?$/.test(doc.openapi)) {
    throw problem('"openapi" must be a 3.0 or 3.1 version string such as "3.1.0"');
  }
  if (typeof doc.paths !== 'object' || doc.paths === null || Array.isArray(doc.paths)) {
    throw problem('"paths" must be an object');
  }
  // Patterns run on the gateway's linear-time engine: what it cannot run is refused here, by location.
  const patterns = schemaPatternIssues(doc);
  if (patterns.length > 0) {
    const lines = patterns
      .slice(0, 5)
      .map((issue) => `${issueLocation(issue.path)}: "${issue.pattern}" ${issue.reason}`);
    const more = patterns.length > 5 ? ` (and ${patterns.length - 5} more)` : '';
    throw badRequest(`The document has a pattern the gateway cannot run at ${lines[0]}${more}`, {
      [field]: lines.join('\n') + more,
    });
  }
  return { document: doc, format };
}
