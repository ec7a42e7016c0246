import { describe, expect, it } from 'vitest';
import { callerFor, db, member, seedUser, uniq } from '../test/harness';
import { httpMutation } from '../test/http';

/*
 * The SSRF allow-list is per organization: a private host a platform admin allows for one tenant is
 * refused, when saved, for every other tenant's API upstreams, extra targets and AI credential endpoints.
 * 10.9.8.7 is a private literal address (no DNS involved) that no other test allow-lists.
 */

const HOST = '10.9.8.7:8080';
const HINT =
  /10\.9\.8\.7 is a private .*address\. A platform admin can allow-list the host for this organization\./;

async function platformAdmin() {
  const user = await seedUser(db, 'operator');
  await db.user.update({ where: { id: user.id }, data: { isPlatformAdmin: true } });
  return callerFor(user.id);
}

/** Adds one entry through the admin's settings procedure, keeping every other entry as it is. */
async function allowFor(entry: { host: string; allTenants: boolean; orgSlugs?: string[] }) {
  const admin = await platformAdmin();
  const current = await admin.settings.get();
  const others = current.upstreamAllowedHosts
    .filter((e) => e.host !== entry.host)
    .map((e) => ({ host: e.host, allTenants: e.allTenants, orgSlugs: e.orgs.map((o) => o.slug) }));
  await admin.settings.update({
    upstreamAllowedHosts: [...others, entry],
    requestLogRetentionDays: current.requestLogRetentionDays,
  });
}

const apiInput = (orgSlug: string) => ({
  orgSlug,
  name: 'Internal',
  slug: uniq('internal'),
  upstreamUrl: `http://${HOST}/v1`,
  visibility: 'PUBLIC' as const,
  description: '',
});
const credentialInput = (orgSlug: string) => ({
  orgSlug,
  name: uniq('cred'),
  provider: 'openai',
  baseUrl: `http://${HOST}/v1`,
  secret: 'sk-test-0000000000',
});

describe('SSRF allow-list scoped to organizations (save time)', () => {
  it("refuses org A's allow-listed host for org B's API, targets and AI credential with a clear 400", async () => {
    const a = await member('OWNER', 'tenant-a');
    const b = await member('OWNER', 'tenant-b');
    await allowFor({ host: HOST, allTenants: false, orgSlugs: [a.org.slug] });

    // A may use its host
    const apiA = await a.caller.api.create(apiInput(a.org.slug));
    expect(apiA.upstreamUrl).toBe(`http://${HOST}/v1`);
    await a.caller.ai.createCredential(credentialInput(a.org.slug));

    // B may not: API upstream, extra targets of an API it owns, AI credential endpoint
    const api = await httpMutation(b.user.id, 'api.create', apiInput(b.org.slug));
    expect(api.status).toBe(400);
    expect(api.fields?.upstreamUrl).toMatch(HINT);

    const own = await b.caller.api.create({
      ...apiInput(b.org.slug),
      upstreamUrl: 'https://api.example.com/v1',
    });
    const targets = await httpMutation(b.user.id, 'policy.updateUpstream', {
      orgSlug: b.org.slug,
      apiId: own.id,
      upstreamUrl: 'https://api.example.com/v1',
      targets: [{ url: `http://${HOST}/v1`, weight: 100 }],
    });
    expect(targets.status).toBe(400);
    expect(targets.fields?.['targets.0.url']).toMatch(HINT);

    const credential = await httpMutation(b.user.id, 'ai.createCredential', credentialInput(b.org.slug));
    expect(credential.status).toBe(400);
    expect(credential.fields?.baseUrl).toMatch(HINT);

    expect(await db.api.count({ where: { orgId: b.org.id, upstreamUrl: { contains: '10.9.8.7' } } })).toBe(0);
    expect(await db.providerCredential.count({ where: { orgId: b.org.id } })).toBe(0);

    // an entry made deliberately for all tenants does cover B
    await allowFor({ host: HOST, allTenants: true });
    const opened = await httpMutation(b.user.id, 'api.create', apiInput(b.org.slug));
    expect(opened).toMatchObject({ status: 200, fields: null });
    await allowFor({ host: HOST, allTenants: false, orgSlugs: [a.org.slug] });
  });
});
