import { listProviders } from '@portcullis/ai/providers/index';
import { ZAiLimits } from '@portcullis/core/ai-config';
import { DomainError } from '@portcullis/core/errors';
import { describe, expect, it } from 'vitest';
import { promptOpenApiDocument } from './ai-prompt-openapi.ts';
import { AI_PROVIDERS, microsToUsd, parseOrBadRequest } from './ai-shared.ts';

describe('microsToUsd', () => {
  it('writes micro-dollars as exact decimals without trailing zeros', () => {
    expect(microsToUsd(0n)).toBe('0');
    expect(microsToUsd(1n)).toBe('0.000001');
    expect(microsToUsd(1_500n)).toBe('0.0015');
    expect(microsToUsd(6_000_006n)).toBe('6.000006');
    expect(microsToUsd(12_000_000n)).toBe('12');
    expect(microsToUsd(-2_500_000n)).toBe('-2.5');
    expect(microsToUsd(123_456_789_012_345_678n)).toBe('123456789012.345678');
  });
});

describe('parseOrBadRequest', () => {
  it('throws BAD_REQUEST with one message per dotted path', () => {
    const error = (() => {
      try {
        parseOrBadRequest(ZAiLimits, [
          { metric: 'tokens', window: 'minute', scope: 'key', limit: '2.5' },
          { metric: 'usd', window: 'day', scope: 'org', limit: '3.25' },
        ]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_REQUEST');
    expect((error as DomainError).fields).toMatchObject({
      '0.limit': 'a token limit is a whole number',
    });
  });
});

describe('AI_PROVIDERS', () => {
  it('lists exactly the providers the gateway has adapters for', () => {
    expect(AI_PROVIDERS.map((p) => p.id).sort()).toEqual(
      listProviders()
        .map((p) => p.id)
        .sort(),
    );
  });

  it('asks for a base URL where the adapter has no default', () => {
    for (const adapter of listProviders()) {
      const info = AI_PROVIDERS.find((p) => p.id === adapter.id);
      expect(info?.needsBaseUrl, adapter.id).toBe(adapter.defaultBaseUrl === null);
      expect(info?.secretOptional, adapter.id).toBe(adapter.auth === 'none');
    }
  });
});

interface RunDoc {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<
    string,
    {
      post: {
        requestBody: unknown;
        responses: Record<
          string,
          { content: Record<string, { schema: { properties: { output: unknown } } }> }
        >;
      };
    }
  >;
}

describe('promptOpenApiDocument', () => {
  const api = { name: 'Summariser', description: '', version: 'v1' };
  const inputSchema = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };

  it('describes POST /v1/run with the input schema as the body and text output by default', () => {
    const doc = promptOpenApiDocument(api, { inputSchema }) as unknown as RunDoc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'Summariser', version: 'v1' });
    expect(Object.keys(doc.paths)).toEqual(['/v1/run']);
    const run = doc.paths['/v1/run']?.post;
    expect(run?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: inputSchema } },
    });
    expect(run?.responses['200']?.content['application/json']?.schema.properties.output).toMatchObject({
      type: 'string',
    });
  });

  it('uses the output schema for the answer when there is one', () => {
    const outputSchema = { type: 'object', properties: { summary: { type: 'string' } } };
    const doc = promptOpenApiDocument(
      { ...api, description: 'Short summaries' },
      { inputSchema, outputSchema },
    ) as unknown as RunDoc;
    expect(doc.info.description).toBe('Short summaries');
    expect(
      doc.paths['/v1/run']?.post.responses['200']?.content['application/json']?.schema.properties.output,
    ).toEqual(outputSchema);
  });
});
