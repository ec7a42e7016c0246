import { describe, expect, it } from 'vitest';
import { aiToolAnswer, chatTool, promptTool } from './ai-tools.ts';
import { requestForToolCall } from './tools.ts';

const API = { name: 'Writer', description: 'Writes things.' };

describe('AI and prompt APIs as MCP tools', () => {
  it("offers a prompt as run with the prompt's own input schema, wrapped output", () => {
    const tool = promptTool(API, {
      inputSchema: { properties: { text: { type: 'string' } }, required: ['text'] },
      outputSchema: { type: 'object', properties: { label: { type: 'string' } } },
    });
    expect(tool.name).toBe('run');
    expect(tool.inputSchema).toEqual({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    });
    expect(tool.outputSchema?.properties).toMatchObject({
      output: { properties: { label: { type: 'string' } } },
    });
    expect(tool.description).toMatch(/^Writes things\.\n\nRuns the prompt "Writer"/);
  });

  it('lists an oversized prompt schema as a plain object', () => {
    const huge = { type: 'object', description: 'x'.repeat(70_000) };
    expect(promptTool(API, { inputSchema: huge }).inputSchema).not.toHaveProperty('properties');
    expect(JSON.stringify(promptTool(API, { inputSchema: huge }).inputSchema).length).toBeLessThan(200);
  });

  it('sends a prompt call as its variables, to /v1/run', () => {
    const tool = promptTool(API, { inputSchema: { type: 'object' } });
    const built = requestForToolCall(tool, { text: 'hi', n: 2 });
    expect(built).toMatchObject({ ok: true, value: { method: 'post', path: '/v1/run' } });
    expect(built.ok && JSON.parse(built.value.body ?? '')).toEqual({ text: 'hi', n: 2 });
    expect(requestForToolCall(tool, [1])).toEqual({
      ok: false,
      error: { field: 'arguments', message: 'must be an object' },
    });
  });

  it('builds a chat completion from prompt, system, model, max_tokens and temperature', () => {
    const tool = chatTool(API, ['fast', 'smart']);
    const built = requestForToolCall(tool, {
      prompt: 'Hi',
      system: 'Be brief',
      model: 'smart',
      max_tokens: 5,
    });
    expect(built.ok && built.value.path).toBe('/v1/chat/completions');
    expect(built.ok && JSON.parse(built.value.body ?? '')).toEqual({
      model: 'smart',
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 5,
    });
    // the first offered model answers when none is named
    const plain = requestForToolCall(tool, { prompt: 'Hi', temperature: 0 });
    expect(plain.ok && JSON.parse(plain.value.body ?? '')).toMatchObject({ model: 'fast', temperature: 0 });
  });

  it.each([
    [{}, 'prompt'],
    [{ prompt: '   ' }, 'prompt'],
    [{ prompt: 'x', model: 'other' }, 'model'],
    [{ prompt: 'x', system: 3 }, 'system'],
    [{ prompt: 'x', max_tokens: 1.5 }, 'max_tokens'],
    [{ prompt: 'x', max_tokens: 0 }, 'max_tokens'],
    [{ prompt: 'x', temperature: 3 }, 'temperature'],
    [{ prompt: 'x', messages: [] }, 'messages'],
  ])('refuses chat arguments %j naming %s', (args, field) => {
    const built = requestForToolCall(chatTool(API, ['fast']), args);
    expect(built.ok).toBe(false);
    expect(!built.ok && built.error.field).toBe(field);
  });

  it('reads the answer text and structured content of both kinds', () => {
    expect(
      aiToolAnswer(
        { kind: 'chat', models: ['fast'] },
        {
          model: 'gpt',
          choices: [{ message: { content: 'Hello' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1 },
        },
      ),
    ).toEqual({
      text: 'Hello',
      structured: {
        text: 'Hello',
        model: 'gpt',
        finish_reason: 'stop',
        usage: { input_tokens: 3, output_tokens: 1 },
      },
    });
    expect(aiToolAnswer({ kind: 'prompt' }, { output: { label: 'a' }, model: 'm' })).toEqual({
      text: '{"label":"a"}',
      structured: { output: { label: 'a' }, model: 'm', usage: {} },
    });
    expect(aiToolAnswer({ kind: 'prompt' }, { nothing: true })).toBeNull();
    expect(aiToolAnswer({ kind: 'chat', models: [] }, { choices: [] })).toBeNull();
  });
});
