import { describe, expect, it } from 'vitest';
import { aiSnippet, exampleVariables, promptSnippet } from './how-to-call-snippets';

const spec = {
  paths: {
    '/v1/run': {
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: {
                properties: {
                  text: { type: 'string' },
                  count: { type: 'integer' },
                  loud: { type: 'boolean' },
                },
              },
            },
          },
        },
      },
    },
  },
};

describe('how to call snippets', () => {
  it('points the openai SDK at the API’s /v1 on the gateway', () => {
    const snippet = aiSnippet('https://gw.example.com/acme/llm/');
    expect(snippet).toContain("baseURL: 'https://gw.example.com/acme/llm/v1'");
    expect(snippet).toContain('client.chat.completions.create');
  });

  it('posts example variables from the input schema to /v1/run, shell-quoted', () => {
    expect(exampleVariables(spec)).toEqual({ text: 'your text', count: 1, loud: true });
    const snippet = promptSnippet('https://gw.example.com/acme/sum/', spec);
    expect(snippet).toContain("curl -X POST 'https://gw.example.com/acme/sum/v1/run'");
    expect(snippet).toContain(`-d '{"text":"your text","count":1,"loud":true}'`);
    expect(promptSnippet('https://gw/', null)).toContain("-d '{}'");
    const quoted = {
      paths: {
        '/v1/run': {
          post: {
            requestBody: { content: { 'application/json': { schema: { properties: { "it's": {} } } } } },
          },
        },
      },
    };
    expect(promptSnippet('https://gw/', quoted)).toContain(`'{"it'\\''s":"your it'\\''s"}'`);
  });
});
