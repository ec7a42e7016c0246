import { describe, expect, it } from 'vitest';
import { consumerWithApp, member, providerWithPlan } from '../../test/harness';
import { httpMutation, httpQuery } from '../../test/http';

/** Dates a browser's superjson can send that Postgres cannot store, plus text that is no date at all. */
const OUT_OF_RANGE = [
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '0000-01-01T00:00:00.000Z',
  '+010000-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  'not a date',
  'NaN',
  '',
];

const START = '2026-01-01T00:00:00.000Z';
const END = '2026-01-02T00:00:00.000Z';

type Procedure = {
  path: string;
  fields: Array<'from' | 'to' | 'cursor.at'>;
  base: Record<string, unknown>;
};

/** Every procedure that takes a date, with the fields that hold one. */
const PROCEDURES: Procedure[] = [
  { path: 'audit.list', fields: ['from', 'to', 'cursor.at'], base: {} },
  { path: 'logs.list', fields: ['from', 'to', 'cursor.at'], base: { side: 'provider' } },
  { path: 'analytics.timeseries', fields: ['from', 'to'], base: { side: 'provider', from: START, to: END } },
  { path: 'analytics.top', fields: ['from', 'to'], base: { side: 'provider', from: START, to: END } },
  { path: 'ai.calls', fields: ['from', 'to', 'cursor.at'], base: {} },
  { path: 'ai.usageSummary', fields: ['from', 'to'], base: { from: START, to: END } },
];

function inputWith(proc: Procedure, field: Procedure['fields'][number], at: string) {
  const input: Record<string, unknown> = { ...proc.base };
  if (field === 'cursor.at') input.cursor = { at, id: 'row-1' };
  else input[field] = at;
  const dates = ['from', 'to'].filter((f) => f in input);
  if (field === 'cursor.at') dates.push('cursor.at');
  return { input, dates };
}

describe('date inputs', () => {
  it('answers 400 naming the field, never 500, for dates outside 1970..9999 or no date at all', async () => {
    const owner = await member('OWNER', 'dates');
    const orgSlug = owner.org.slug;
    const seen: string[] = [];
    for (const proc of PROCEDURES) {
      for (const field of proc.fields) {
        for (const at of OUT_OF_RANGE) {
          const { input, dates } = inputWith(proc, field, at);
          const res = await httpQuery(owner.user.id, proc.path, { orgSlug, ...input }, dates);
          seen.push(`${proc.path} ${field}=${at}: ${res.status}`);
          expect(res.status, `${proc.path} ${field}=${at}`).toBe(400);
          expect(res.fields?.[field], `${proc.path} ${field}=${at}`).toBe(
            `${field} must be a date between 1970-01-01 and 9999-12-31`,
          );
        }
      }
    }
    expect(seen).toHaveLength(8 * 15);
  });

  it('answers 400 for a date sent as plain text (no superjson Date marker)', async () => {
    const owner = await member('OWNER', 'dates');
    const res = await httpQuery(owner.user.id, 'audit.list', { orgSlug: owner.org.slug, from: START });
    expect(res.status).toBe(400);
    expect(res.fields).toEqual({ from: 'from must be a date between 1970-01-01 and 9999-12-31' });
  });

  it('answers 400, not 500, for a short analytics range far in the future', async () => {
    const owner = await member('OWNER', 'dates');
    for (const path of ['analytics.timeseries', 'ai.usageSummary']) {
      const res = await httpQuery(
        owner.user.id,
        path,
        {
          orgSlug: owner.org.slug,
          side: 'provider',
          from: '+275760-09-12T00:00:00.000Z',
          to: '+275760-09-13T00:00:00.000Z',
        },
        ['from', 'to'],
      );
      expect(res.status, path).toBe(400);
    }
  });

  it('serves the bounds themselves: 1970-01-01 and 9999-12-31, ranges rounded out to whole days', async () => {
    const owner = await member('OWNER', 'dates');
    const orgSlug = owner.org.slug;
    const first = '1970-01-01T00:00:00.000Z';
    const last = '9999-12-31T00:00:00.000Z';
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['audit.list', { from: first, to: last, cursor: { at: last, id: 'z' } }, ['from', 'to', 'cursor.at']],
      [
        'logs.list',
        { side: 'provider', from: first, to: last, cursor: { at: last, id: 'z' } },
        ['from', 'to', 'cursor.at'],
      ],
      ['ai.calls', { from: first, to: last, cursor: { at: last, id: 'z' } }, ['from', 'to', 'cursor.at']],
      [
        'analytics.timeseries',
        { side: 'provider', from: '9999-12-01T12:00:00.000Z', to: last },
        ['from', 'to'],
      ],
      [
        'analytics.timeseries',
        { side: 'provider', from: first, to: '1970-01-08T12:00:00.000Z' },
        ['from', 'to'],
      ],
      ['ai.usageSummary', { from: '9999-12-01T12:00:00.000Z', to: last }, ['from', 'to']],
    ];
    for (const [path, input, dates] of cases) {
      const res = await httpQuery(owner.user.id, path, { orgSlug, ...input }, dates);
      expect(res.status, `${path} ${JSON.stringify(res)}`).toBe(200);
    }
  });

  it('answers 400 for key expiries and sunset dates outside what the verbs allow', async () => {
    const provider = await providerWithPlan();
    const consumer = await consumerWithApp();
    for (const at of ['+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '0000-01-01', 'NaN']) {
      const key = await httpMutation(consumer.user.id, 'key.create', {
        orgSlug: consumer.org.slug,
        appId: consumer.app.id,
        name: 'ci',
        expiresAt: at,
      });
      expect(key.status, `key.create ${at}`).toBe(400);
      expect(key.fields, `key.create ${at}`).toHaveProperty('expiresAt');
      const sunset = await httpMutation(provider.user.id, 'policy.deprecate', {
        orgSlug: provider.org.slug,
        apiId: provider.api.id,
        sunsetAt: at,
      });
      expect(sunset.status, `policy.deprecate ${at}`).toBe(400);
      expect(sunset.fields, `policy.deprecate ${at}`).toHaveProperty('sunsetAt');
    }
  });
});
