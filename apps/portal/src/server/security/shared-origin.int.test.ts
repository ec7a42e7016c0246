import { ZApiPolicies } from '@portcullis/core/policies';
import { describe, expect, it, vi } from 'vitest';

// Before the portal's env is read (imports below): this file's portal runs with per-org gateway hosts.
vi.hoisted(() => {
  process.env.GATEWAY_PUBLIC_URL = 'https://gw.example.test:8443';
  process.env.GATEWAY_ORG_HOST_SUFFIX = 'gw.example.test';
});

const { consumerWithApp, db, providerWithPlan } = await import('../test/harness');
const { httpMutation } = await import('../test/http');

const defaults = ZApiPolicies.parse({});

describe('shared gateway origin', () => {
  it('refuses response header transforms that set cookies or active content, naming the header, and saves nothing', async () => {
    const p = await providerWithPlan();
    const base = { orgSlug: p.org.slug, apiId: p.api.id, ...defaults };
    const cases: Array<[transform: Record<string, unknown>, field: string, pattern: RegExp]> = [
      [{ add: { 'Set-Cookie': 'session=x; Path=/' } }, 'responseHeaders.add', /^Set-Cookie cannot be set/],
      [
        { add: { 'content-type': 'text/html' } },
        'responseHeaders.add',
        /^Content-Type cannot be "text\/html"/,
      ],
      [{ add: { 'content-type': 'image/svg+xml' } }, 'responseHeaders.add', /image\/svg\+xml/],
      [{ add: { 'content-type': 'application/javascript' } }, 'responseHeaders.add', /active content/],
      [{ add: { 'clear-site-data': '"*"' } }, 'responseHeaders.add', /^Clear-Site-Data cannot be set/],
      [{ rename: { 'x-session': 'set-cookie' } }, 'responseHeaders.rename', /^Set-Cookie cannot be set/],
      [{ rename: { 'x-type': 'content-type' } }, 'responseHeaders.rename', /^Content-Type cannot be renamed/],
    ];
    for (const [transform, field, pattern] of cases) {
      const res = await httpMutation(p.user.id, 'policy.updatePolicies', {
        ...base,
        responseHeaders: { add: {}, remove: [], rename: {}, ...transform },
      });
      expect(res.status, JSON.stringify(transform)).toBe(400);
      expect(res.fields?.[field], JSON.stringify(transform)).toMatch(pattern);
    }
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ policies: {} });

    // passive types and ordinary headers still save
    const fine = await httpMutation(p.user.id, 'policy.updatePolicies', {
      ...base,
      responseHeaders: {
        add: { 'content-type': 'application/json', 'x-team': 'blue' },
        remove: [],
        rename: {},
      },
    });
    expect(fine).toMatchObject({ status: 200, fields: null });
  });

  it('shows consumers the org host base URL when per-org hosts are configured', async () => {
    const provider = await providerWithPlan();
    const consumer = await consumerWithApp();
    const api = await consumer.caller.catalog.get({ orgSlug: provider.org.slug, apiSlug: provider.api.slug });
    expect(api.gatewayBaseUrl).toBe(
      `https://${provider.org.slug}.gw.example.test:8443/${provider.api.slug}/`,
    );
  });
});
