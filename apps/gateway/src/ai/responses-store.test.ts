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
    await store.save('resp_2', scope, { turns: 2, items: [{ a: 1 }], response: { id: 'resp_2' } });
    expect(statements[0]?.values).toEqual([
      'resp_2',
      'org',
      'api',
      'app',
      '2026-01-01T00:00:00.000Z',
      '2026-01-31T00:00:00.000Z',
      2,
      '[{"a":1}]',
      '{"id":"resp_2"}',
    ]);
  });
});
