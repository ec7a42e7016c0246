import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { addMember, consumerWithApp, db, member, providerWithPlan } from '../../test/harness';

// The route reads the session through next-auth; the tests decide who is signed in.
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('../../auth', () => ({ currentUserId: async () => session.userId }));

const { GET } = await import('../../../app/api/orgs/[slug]/logs/csv/route');

function getCsv(userId: string | null, slug: string, query = '') {
  session.userId = userId;
  return GET(new Request(`http://portal.test/api/orgs/${slug}/logs/csv${query}`), {
    params: Promise.resolve({ slug }),
  });
}

async function loggedWorld() {
  const provider = await providerWithPlan({ requiresApproval: false });
  const consumer = await consumerWithApp();
  const base = Date.UTC(2024, 7, 1, 8);
  const row = (n: number, status: number, userAgent: string | null) => ({
    id: `csv-${String(n).padStart(3, '0')}-${randomUUID()}`,
    at: new Date(base + n * 1000),
    orgId: provider.org.id,
    apiId: provider.api.id,
    appId: consumer.app.id,
    method: 'GET',
    path: `/${provider.org.slug}/${provider.api.slug}/item,${n}`,
    status,
    latencyMs: n,
    bytesIn: 0,
    bytesOut: 0,
    userAgent,
  });
  const rows = [row(1, 200, 'curl/8'), row(2, 500, '=HYPERLINK("http://evil.test")'), row(3, 404, null)];
  await db.requestLog.createMany({ data: rows });
  return { provider, consumer, rows };
}

describe('GET /api/orgs/[slug]/logs/csv', () => {
  it('streams the filtered rows as an attachment, with formulas neutralised', async () => {
    const { provider, rows } = await loggedWorld();
    const viewer = await addMember(provider.org.id, 'VIEWER');
    const res = await getCsv(viewer.user.id, provider.org.slug, '?side=provider');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${provider.org.slug}-requests-provider.csv"`,
    );
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe(
      'at,id,method,path,status,latency_ms,upstream_ms,bytes_in,bytes_out,api,app_id,key_id,client_ip,user_agent,error_code',
    );
    expect(lines.slice(1, -1).map((l) => l.split(',')[1])).toEqual([rows[2]!.id, rows[1]!.id, rows[0]!.id]);
    expect(lines.at(-1)).toBe('');
    // The path holds a comma: quoted. The user agent starts with "=": prefixed with an apostrophe.
    expect(lines[2]).toContain(`"/${provider.org.slug}/${provider.api.slug}/item,2"`);
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil.test"")"`);
    expect(lines[2]).toContain(',Weather,');

    const errors = await getCsv(provider.user.id, provider.org.slug, '?side=provider&status=5xx');
    const errorLines = (await errors.text()).split('\r\n').filter(Boolean);
    expect(errorLines).toHaveLength(2);
    const ranged = await getCsv(
      provider.user.id,
      provider.org.slug,
      `?side=provider&from=${encodeURIComponent(rows[1]!.at.toISOString())}&to=${encodeURIComponent(rows[2]!.at.toISOString())}`,
    );
    expect((await ranged.text()).split('\r\n').filter(Boolean)).toHaveLength(2);
  });

  it("exports only the org's own side", async () => {
    const { provider, consumer } = await loggedWorld();
    const mine = await getCsv(consumer.user.id, consumer.org.slug, '?side=consumer');
    expect((await mine.text()).split('\r\n').filter(Boolean)).toHaveLength(4);
    const stranger = await member('OWNER', 'stranger');
    const empty = await getCsv(stranger.user.id, stranger.org.slug, '?side=provider');
    expect((await empty.text()).split('\r\n').filter(Boolean)).toHaveLength(1);
    expect((await getCsv(stranger.user.id, provider.org.slug, '?side=provider')).status).toBe(404);
  });

  it('answers 401 signed out and 400 for bad filters', async () => {
    const { provider } = await loggedWorld();
    expect((await getCsv(null, provider.org.slug, '?side=provider')).status).toBe(401);
    expect((await getCsv(provider.user.id, provider.org.slug, '')).status).toBe(400);
    const bad = await getCsv(provider.user.id, provider.org.slug, '?side=provider&status=7xx');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('status');
    expect((await getCsv(provider.user.id, provider.org.slug, '?side=provider&from=yesterday')).status).toBe(
      400,
    );
  });

  it('answers 400 naming the field for dates Postgres cannot store, instead of a broken download', async () => {
    const owner = await member('OWNER', 'csvdates');
    for (const at of ['+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '0000-01-01']) {
      const res = await getCsv(
        owner.user.id,
        owner.org.slug,
        `?side=provider&from=${encodeURIComponent(at)}`,
      );
      expect(res.status, at).toBe(400);
      expect(await res.text()).toBe('from: from must be a date between 1970-01-01 and 9999-12-31');
    }
  });
});
