import { describe, expect, it } from 'vitest';
import { answerMessage, type ToolSet } from './server.ts';

/**
 * A message whose tools cannot be loaded (the config database is down): the client learns that, not
 * the gateway's internals. The SDK answers a handler's exception with the exception's own message.
 */
describe('answerMessage when the tools cannot be loaded', () => {
  it("does not hand the infrastructure's error text to the client", async () => {
    const failing: ToolSet = {
      tools: () => Promise.reject(new Error('connect ECONNREFUSED 10.20.30.40:5432 (portcullis_config)')),
      call: () => Promise.reject(new Error('unreachable')),
    };
    const answer = await answerMessage(
      failing,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      {
        url: 'http://gateway/mcp',
        headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      },
    );
    expect(answer.body).not.toContain('10.20.30.40');
    expect(answer.body).not.toContain('ECONNREFUSED');
  });
});
