import type { SqlRunner } from '@portcullis/db/pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AiResponseStore } from './responses-store.ts';

const scope = { orgId: 'org', apiId: 'api', appId: 'app' };
const row = { turns: 1, items: [], response: {} };

describe('AiResponseStore.save', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives up on a hung database after a few seconds instead of holding the answer', async () => {
    vi.useFakeTimers();
    const hung: SqlRunner = {
      execute: () => new Promise<number>(() => undefined),
      rows: () => new Promise(() => undefined),
    };
    const store = new AiResponseStore(
      hung,
      () => 0,
      () => undefined,
    );
    const saved = store.save('resp_1', scope, row);
    const outcome = expect(saved).rejects.toThrow(/timed out/);
    await vi.advanceTimersByTimeAsync(3_000);
    await outcome;
  });

  it('resolves once the row is written, with the values scoped and serialized', async () => {
    const statements: { text: string; values: readonly unknown[] | undefined }[] = [];
    const sql: SqlRunner = {
      execute: async (text, values) => {
        statements.push({ text, values });
        return 1;
      },
      rows: async () => [],
    };
    const store = new AiResponseStore(
      sql,
      () => Date.parse('2026-01-01T00:00:00Z'),
      () => undefined,
    );
    await store.save('resp_2', scope, {
      turns: 2,
      items: [{ type: 'message', id: 'msg_1', role: 'user', content: 'hi' }],
      response: { id: 'resp_2' },
    });
    expect(statements[0]?.values).toEqual([
      'resp_2',
      'org',
      'api',
      'app',
      '2026-01-01T00:00:00.000Z',
      '2026-01-31T00:00:00.000Z',
      2,
      '[{"type":"message","id":"msg_1","role":"user","content":"hi"}]',
      '{"id":"resp_2"}',
    ]);
  });

  it('stores an id on every conversation item that has none', async () => {
    const written: unknown[] = [];
    const sql: SqlRunner = {
      execute: async (_text, values) => {
        written.push(JSON.parse(String(values?.[7])));
        return 1;
      },
      rows: async () => [],
    };
    const store = new AiResponseStore(
      sql,
      () => 0,
      () => undefined,
    );
    await store.save('resp_3', scope, {
      turns: 1,
      items: [
        { type: 'message', role: 'user', content: 'hi' },
        { type: 'message', id: 'msg_answer', role: 'assistant', content: [] },
      ],
      response: { id: 'resp_3' },
    });
    expect(written[0]).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_[0-9a-f]{48}$/), role: 'user', content: 'hi' },
      { type: 'message', id: 'msg_answer', role: 'assistant', content: [] },
    ]);
  });
});
