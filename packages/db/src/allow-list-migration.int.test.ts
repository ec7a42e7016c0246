import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { type DatabaseBefore, databaseBefore } from './migrate-scratch.ts';

/*
 * Migration 0008 turns the former platform-wide SSRF allow-list (PlatformSetting 'upstream.allowedHosts')
 * into per-organization entries: each host goes to the organizations whose APIs or AI credentials use it.
 * Run on a scratch database migrated to 0007 and filled with such data.
 */

const SCOPED = '0008_org_scoped_upstream_allow_list';

describe('migration 0008: the global allow-list becomes per-organization entries', () => {
  let scratch: DatabaseBefore;
  let databaseUrl: string;
  let client: pg.Client;

  beforeAll(async () => {
    scratch = await databaseBefore(SCOPED, 'm0008');
    databaseUrl = scratch.url;
    client = scratch.client;
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('assigns each legacy host to the organizations using it, keeps unused hosts for nobody, drops the setting', async () => {
    const q = (text: string, values: unknown[] = []) => client.query(text, values);
    for (const org of ['echo', 'targets', 'creds', 'userinfo', 'bystander']) {
      await q(`INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES ($1, $1, $1, now())`, [org]);
    }
    const api = (id: string, orgId: string, upstreamUrl: string, upstream: unknown = {}) =>
      q(
        `INSERT INTO "Api" (id, "orgId", slug, name, "upstreamUrl", upstream, "updatedAt")
         VALUES ($1, $2, $1, $1, $3, $4, now())`,
        [id, orgId, upstreamUrl, JSON.stringify(upstream)],
      );
    await api('echo-api', 'echo', 'http://127.0.0.1:8090/echo');
    await api('targets-api', 'targets', 'https://api.example.com/v1', {
      targets: [{ url: 'http://10.0.0.5:8080/x', weight: 100 }],
      versions: { v2: [{ url: 'http://Internal.svc/v2', weight: 100 }] },
    });
    await api('userinfo-api', 'userinfo', 'http://user:pw@127.0.0.1:8090/');
    await api('bystander-api', 'bystander', 'https://public.example.com/');
    await q(
      `INSERT INTO "ProviderCredential" (id, "orgId", name, provider, "baseUrl", "secretEncrypted", "secretHint", "updatedAt")
       VALUES ('cred', 'creds', 'local', 'openai', 'http://[::1]:9000/v1', 'x', '', now())`,
    );
    const legacy = ['127.0.0.1:8090', '10.0.0.5:8080', 'internal.svc:80', '[::1]', ' Unused.Internal '];
    await q(
      `INSERT INTO "PlatformSetting" (key, value, "updatedAt") VALUES ('upstream.allowedHosts', $1, now())`,
      [JSON.stringify(legacy)],
    );

    // 0008 first, then whatever migrations came after it
    const result = await migrate(databaseUrl);
    expect(result.applied[0]).toBe(SCOPED);

    const { rows } = await q(`
      SELECT h.host, h."allTenants", coalesce(array_agg(o."orgId" ORDER BY o."orgId")
        FILTER (WHERE o."orgId" IS NOT NULL), '{}') AS orgs
      FROM "UpstreamAllowedHost" h LEFT JOIN "UpstreamAllowedHostOrg" o ON o."hostId" = h.id
      GROUP BY h.id ORDER BY h.host`);
    expect(rows).toEqual([
      { host: '10.0.0.5:8080', allTenants: false, orgs: ['targets'] },
      { host: '127.0.0.1:8090', allTenants: false, orgs: ['echo', 'userinfo'] },
      { host: '[::1]', allTenants: false, orgs: ['creds'] },
      { host: 'internal.svc:80', allTenants: false, orgs: ['targets'] },
      { host: 'unused.internal', allTenants: false, orgs: [] },
    ]);
    const setting = await q(`SELECT 1 FROM "PlatformSetting" WHERE key = 'upstream.allowedHosts'`);
    expect(setting.rowCount).toBe(0);
  });
});
