import { prismaSqlRunner } from '@portcullis/db';
import { type AiCallLogEntry, writeAiCallLogs } from '@portcullis/usage/ai-call-log';
import { describe, expect, it } from 'vitest';
import { addMember, db, expectTrpcError, member, uniq } from '../../test/harness';
import { fieldsOf } from './test-fields';

describe('ai router: price table', () => {
  it('adds, edits and deletes exact decimal prices, with field-level errors', async () => {
    const owner = await member('OWNER', 'aiprice');
    const slug = owner.org.slug;
    const bad = await expectTrpcError(
      owner.caller.ai.setPrice({
        orgSlug: slug,
        provider: 'openai',
        model: 'gpt-4o',
        inputPerMillion: '2.5e3',
        outputPerMillion: '-1',
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(bad)).toEqual({
      inputPerMillion: expect.any(String),
      outputPerMillion: expect.any(String),
    });

    const row = await owner.caller.ai.setPrice({
      orgSlug: slug,
      provider: 'openai',
      model: 'gpt-4o',
      inputPerMillion: '2.50',
      outputPerMillion: '10.000001',
    });
    expect(row).toMatchObject({ inputPerMillion: '2.50', outputPerMillion: '10.000001' });
    const dup = await expectTrpcError(
      owner.caller.ai.setPrice({
        orgSlug: slug,
        provider: 'openai',
        model: 'gpt-4o',
        inputPerMillion: '1',
        outputPerMillion: '1',
      }),
      'CONFLICT',
    );
    expect(fieldsOf(dup)).toEqual({ model: expect.any(String) });
    await owner.caller.ai.setPrice({
      orgSlug: slug,
      priceId: row.id,
      provider: 'openai',
      model: 'gpt-4o',
      inputPerMillion: '2.75',
      outputPerMillion: '11',
    });
    expect((await owner.caller.ai.prices({ orgSlug: slug })).items).toEqual([
      expect.objectContaining({ id: row.id, inputPerMillion: '2.75', outputPerMillion: '11' }),
    ]);

    const viewer = await addMember(owner.org.id, 'VIEWER');
    expect((await viewer.caller.ai.prices({ orgSlug: slug })).canWrite).toBe(false);
    await expectTrpcError(viewer.caller.ai.deletePrice({ orgSlug: slug, priceId: row.id }), 'FORBIDDEN');
    const other = await member('OWNER', 'other');
    await expectTrpcError(
      other.caller.ai.deletePrice({ orgSlug: other.org.slug, priceId: row.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      other.caller.ai.setPrice({
        orgSlug: other.org.slug,
        priceId: row.id,
        provider: 'openai',
        model: 'gpt-4o',
        inputPerMillion: '0',
        outputPerMillion: '0',
      }),
      'NOT_FOUND',
    );

    await owner.caller.ai.deletePrice({ orgSlug: slug, priceId: row.id });
    expect((await owner.caller.ai.prices({ orgSlug: slug })).items).toEqual([]);
    const actions = (
      await db.auditLog.findMany({ where: { targetId: row.id }, select: { action: true } })
    ).map((a) => a.action);
    expect(actions.sort()).toEqual(['aiPrice.create', 'aiPrice.delete', 'aiPrice.update']);
  });
});

/** Seeds `count` calls of one API, one minute apart, newest first, alternating models and statuses. */
/** Calls logged by the gateway's writer (log rows and their daily usage), one a minute back from `start`. */
async function seedCalls(orgId: string, apiId: string, count: number, start: Date, smartCostMicros = 1500n) {
  const rows: AiCallLogEntry[] = Array.from({ length: count }, (_, i) => ({
    id: uniq('call'),
    at: new Date(start.getTime() - i * 60_000),
    orgId,
    apiId,
    subscriptionId: null,
    appId: null,
    keyId: null,
    requestId: uniq('req'),
    surface: 'chat',
    model: i % 2 === 0 ? 'fast' : 'smart',
    provider: 'openai',
    providerModel: i % 2 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
    status: i % 5 === 4 ? 429 : 200,
    errorCode: null,
    stream: false,
    tokensIn: 100,
    tokensOut: 50,
    tokensEstimated: false,
    costMicros: i % 2 === 0 ? 1500n : smartCostMicros,
    latencyMs: 120,
    ttftMs: 30,
    attempts: 1,
    requestBody: i === 0 ? '{"messages":[{"role":"user","content":"[REDACTED]"}]}' : null,
    responseBody: i === 0 ? '{"choices":[]}' : null,
    guardrails:
      i === 0
        ? [{ rule: 'pii', type: 'pii', stage: 'input', action: 'redact', detail: '1 match(es)' }]
        : null,
  }));
  expect(await writeAiCallLogs(prismaSqlRunner(db), rows)).toBe(count);
  return rows;
}

describe('ai router: call log and usage summary', () => {
  it('sets, keeps and clears per-unit prices and model metadata', async () => {
    const owner = await member('OWNER', 'aiprice-units');
    const slug = owner.org.slug;
    const bad = await expectTrpcError(
      owner.caller.ai.setPrice({
        orgSlug: slug,
        provider: 'openai',
        model: 'gpt-image-1',
        inputPerMillion: '5',
        outputPerMillion: '40',
        perImage: 'free',
        contextWindow: 0,
        outputModalities: ['video' as 'image'],
      }),
      'BAD_REQUEST',
    );
    expect(Object.keys(fieldsOf(bad)).sort()).toEqual(['contextWindow', 'outputModalities.0', 'perImage']);
    const row = await owner.caller.ai.setPrice({
      orgSlug: slug,
      provider: 'openai',
      model: 'gpt-image-1',
      inputPerMillion: '5',
      outputPerMillion: '40',
      perImage: '0.011',
      perCall: '0.001',
      contextWindow: 32_000,
      inputModalities: ['text', 'image'],
      outputModalities: ['image'],
    });
    expect(row).toMatchObject({ perImage: '0.011', perAudioSecond: null, contextWindow: 32_000 });
    // left out: kept; null: cleared
    const edited = await owner.caller.ai.setPrice({
      orgSlug: slug,
      priceId: row.id,
      provider: 'openai',
      model: 'gpt-image-1',
      inputPerMillion: '5',
      outputPerMillion: '40',
      perCall: null,
      maxOutputTokens: 4_096,
    });
    expect(edited).toMatchObject({
      perImage: '0.011',
      perCall: null,
      contextWindow: 32_000,
      maxOutputTokens: 4_096,
      inputModalities: ['text', 'image'],
      outputModalities: ['image'],
    });
    const audit = await db.auditLog.findFirstOrThrow({
      where: { targetId: row.id, action: 'aiPrice.update' },
    });
    expect(audit.before).toMatchObject({ perCall: '0.001' });
    expect(audit.after).toMatchObject({ perCall: null, maxOutputTokens: 4_096 });
  });

  it('pages newest first with a stable cursor, filters, and shows bodies only when stored', async () => {
    const owner = await member('OWNER', 'ailog');
    const api = await owner.caller.api.create({
      orgSlug: owner.org.slug,
      name: 'Chat',
      slug: uniq('chat'),
      kind: 'AI',
    });
    const start = new Date('2031-03-10T12:00:00.000Z');
    const rows = await seedCalls(owner.org.id, api.id, 12, start);
    const other = await member('OWNER', 'other');
    const otherApi = await other.caller.api.create({
      orgSlug: other.org.slug,
      name: 'O',
      slug: uniq('o'),
      kind: 'AI',
    });
    await seedCalls(other.org.id, otherApi.id, 3, start);

    const slug = owner.org.slug;
    const first = await owner.caller.ai.calls({ orgSlug: slug, limit: 5 });
    expect(first.items.map((r) => r.id)).toEqual(rows.slice(0, 5).map((r) => r.id));
    expect(first.items[0]).toMatchObject({ apiName: 'Chat', costUsd: '0.0015', hasBodies: true });
    expect(first.items[1]?.hasBodies).toBe(false);
    expect(first.items[0]).not.toHaveProperty('requestBody');
    const second = await owner.caller.ai.calls({
      orgSlug: slug,
      limit: 5,
      cursor: first.nextCursor ?? undefined,
    });
    const third = await owner.caller.ai.calls({
      orgSlug: slug,
      limit: 5,
      cursor: second.nextCursor ?? undefined,
    });
    expect([...first.items, ...second.items, ...third.items].map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(third.nextCursor).toBeNull();

    const smart = await owner.caller.ai.calls({ orgSlug: slug, model: 'smart' });
    expect(smart.items).toHaveLength(6);
    expect(smart.items.every((r) => r.model === 'smart')).toBe(true);
    const limited = await owner.caller.ai.calls({ orgSlug: slug, status: '4xx' });
    expect(limited.items.map((r) => r.status)).toEqual([429, 429]);
    const window = await owner.caller.ai.calls({
      orgSlug: slug,
      from: new Date(start.getTime() - 3 * 60_000),
      to: new Date(start.getTime()),
    });
    expect(window.items.map((r) => r.id)).toEqual(rows.slice(1, 4).map((r) => r.id));
    expect((await owner.caller.ai.calls({ orgSlug: slug, apiId: otherApi.id })).items).toEqual([]);
    const badRange = await expectTrpcError(
      owner.caller.ai.calls({ orgSlug: slug, from: start, to: new Date(start.getTime() - 1) }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(badRange)).toEqual({ to: 'End must be after start' });

    const detail = await owner.caller.ai.callDetail({ orgSlug: slug, id: rows[0]!.id });
    expect(detail.requestBody).toContain('[REDACTED]');
    expect(detail.guardrails).toEqual([
      { rule: 'pii', type: 'pii', stage: 'input', action: 'redact', detail: '1 match(es)' },
    ]);
    const plain = await owner.caller.ai.callDetail({ orgSlug: slug, id: rows[1]!.id });
    expect(plain.requestBody).toBeNull();
    expect(plain.guardrails).toEqual([]);
    // Another tenant's call is not found, and viewers of this org can read the log.
    await expectTrpcError(
      other.caller.ai.callDetail({ orgSlug: other.org.slug, id: rows[0]!.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(other.caller.ai.calls({ orgSlug: slug }), 'NOT_FOUND');
    const viewer = await addMember(owner.org.id, 'VIEWER');
    expect((await viewer.caller.ai.calls({ orgSlug: slug })).items).toHaveLength(12);
    expect(await owner.caller.ai.callModels({ orgSlug: slug })).toEqual(['fast', 'smart']);
  });

  it('sums tokens and exact cost per model per UTC day', async () => {
    const owner = await member('OWNER', 'aisum');
    const api = await owner.caller.api.create({
      orgSlug: owner.org.slug,
      name: 'Sum',
      slug: uniq('sum'),
      kind: 'AI',
    });
    // 12 calls from 00:30 back across midnight: 1 on day 2, 11 on day 1.
    const rows = await seedCalls(owner.org.id, api.id, 12, new Date('2031-05-02T00:00:30.000Z'), 1_000_001n);
    // A batch sent twice (its commit unacknowledged) adds nothing.
    expect(await writeAiCallLogs(prismaSqlRunner(db), rows)).toBe(0);
    const summary = await owner.caller.ai.usageSummary({
      orgSlug: owner.org.slug,
      from: new Date('2031-05-01T00:00:00.000Z'),
      to: new Date('2031-05-03T00:00:00.000Z'),
    });
    expect(summary.days).toEqual([
      {
        day: '2031-05-02',
        model: 'fast',
        calls: 1,
        errors: 0,
        tokensIn: 100,
        tokensOut: 50,
        costUsd: '0.0015',
      },
      {
        day: '2031-05-01',
        model: 'fast',
        calls: 5,
        errors: 1,
        tokensIn: 500,
        tokensOut: 250,
        costUsd: '0.0075',
      },
      {
        day: '2031-05-01',
        model: 'smart',
        calls: 6,
        errors: 1,
        tokensIn: 600,
        tokensOut: 300,
        costUsd: '6.000006',
      },
    ]);
    expect(summary.models).toEqual([
      { model: 'smart', calls: 6, tokensIn: 600, tokensOut: 300, costUsd: '6.000006' },
      { model: 'fast', calls: 6, tokensIn: 600, tokensOut: 300, costUsd: '0.009' },
    ]);
    // Partial days at the edges are read from the log: the day of 05-02 in the daily rollup has the
    // 00:00:30 call, which falls after this range's end.
    const edges = await owner.caller.ai.usageSummary({
      orgSlug: owner.org.slug,
      from: new Date('2031-04-30T12:00:00.000Z'),
      to: new Date('2031-05-02T00:00:10.000Z'),
    });
    expect(edges.days.map((d) => [d.day, d.model, d.calls, d.errors])).toEqual([
      ['2031-05-01', 'fast', 5, 1],
      ['2031-05-01', 'smart', 6, 1],
    ]);
    const narrow = await owner.caller.ai.usageSummary({
      orgSlug: owner.org.slug,
      from: new Date('2031-05-01T23:57:00.000Z'),
      to: new Date('2031-05-02T00:01:00.000Z'),
    });
    expect(narrow.days.map((d) => [d.day, d.model, d.calls, d.costUsd])).toEqual([
      ['2031-05-02', 'fast', 1, '0.0015'],
      ['2031-05-01', 'fast', 1, '0.0015'],
      ['2031-05-01', 'smart', 2, '2.000002'],
    ]);
    const other = await member('OWNER', 'other');
    const none = await other.caller.ai.usageSummary({
      orgSlug: other.org.slug,
      from: new Date('2031-05-01T00:00:00.000Z'),
      to: new Date('2031-05-03T00:00:00.000Z'),
    });
    expect(none).toEqual({ days: [], models: [] });
  });
});
