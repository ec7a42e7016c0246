import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { detectFormat, lineColumn, parseOpenApiText } from './openapi-document.ts';

const fieldError = (text: string, field = 'document') => {
  try {
    parseOpenApiText(text, field);
  } catch (error) {
    if (error instanceof DomainError) return error.fields?.[field];
    throw error;
  }
  return null;
};

describe('parseOpenApiText', () => {
  it('reads YAML and JSON into the same JSON object', () => {
    const yaml =
      'openapi: 3.0.3\ninfo: { title: T, version: "1" }\npaths:\n  /x:\n    get:\n      responses:\n        200: { description: ok }\n';
    const json = JSON.stringify(parseOpenApiText(yaml).document);
    expect(parseOpenApiText(yaml).format).toBe('yaml');
    expect(parseOpenApiText(json)).toEqual({ document: JSON.parse(json), format: 'json' });
    expect(JSON.parse(json).paths['/x'].get.responses['200']).toEqual({ description: 'ok' });
  });

  it('names the line and column of syntax errors', () => {
    expect(fieldError('{\n  "openapi": "3.1.0",\n  "paths": {},\n}')).toMatch(
      /^Not valid JSON: .* at line 4, column 1$/,
    );
    expect(fieldError('openapi: 3.1.0\nopenapi: 3.0.0\npaths: {}\n')).toMatch(
      /^Not valid YAML: .* at line 2, column 1$/,
    );
  });

  it('refuses what is not OpenAPI 3.0/3.1, and alias bombs', () => {
    expect(fieldError('swagger: "2.0"\npaths: {}')).toMatch(/Swagger 2.0/);
    expect(fieldError('openapi: 3.2.0\npaths: {}')).toMatch(/3.0 or 3.1/);
    expect(fieldError('openapi: 3.1.0\n')).toMatch(/"paths" must be an object/);
    expect(fieldError('', 'openapiDocument')).toBe('Paste or upload a document');
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    expect(fieldError(bomb)).toMatch(/^Not valid YAML/);
  });

  it('detects the format and converts offsets to lines', () => {
    expect(detectFormat('  {"a":1}')).toBe('json');
    expect(detectFormat('openapi: 3.1.0')).toBe('yaml');
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
