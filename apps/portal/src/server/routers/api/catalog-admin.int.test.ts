import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  consumerWithApp,
  db,
  expectTrpcError,
  member,
  providerWithPlan,
} from '../../test/harness';
import { httpMutation } from '../../test/http';

const audit = (action: string, targetId: string) =>
  db.auditLog.findFirst({ where: { action, targetId }, orderBy: { at: 'desc' } });

const specV1 = {
  openapi: '3.1.0',
  info: { title: 'Weather', version: '1' },
  paths: {
    '/forecast': {
      get: {
        parameters: [{ name: 'city', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'ok' }, '404': { description: 'unknown city' } },
      },
    },
  },
};
const specV2 = {
  ...specV1,
  paths: {
    '/forecast': {
      get: {
        parameters: [{ name: 'city', in: 'query', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/alerts': { get: { responses: { '200': { description: 'ok' } } } },
  },
};

describe('api details', () => {
  it('updates name, description, tags and visibility with an audit row; org and status cannot ride along', async () => {
    const p = await providerWithPlan();
    const other = await member('OWNER', 'other');
    const updated = await p.caller.api.update({
      orgSlug: p.org.slug,
      apiId: p.api.id,
      name: 'Weather Pro',
      description: 'Forecasts, now better',
      tags: ['Maps', 'maps', ' Geo '],
      visibility: 'ORG',
      orgId: other.org.id,
      status: 'RETIRED',
      slug: 'hijacked',
    } as never);
    expect(updated).toMatchObject({ name: 'Weather Pro', tags: ['maps', 'geo'], visibility: 'ORG' });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      orgId: p.org.id,
      status: 'PUBLISHED',
      slug: p.api.slug,
    });
    expect(await audit('api.update', p.api.id)).toMatchObject({
      actorId: p.user.id,
      orgId: p.org.id,
      before: { name: 'Weather', visibility: 'PUBLIC', tags: [] },
      after: { name: 'Weather Pro', visibility: 'ORG', tags: ['maps', 'geo'] },
    });
    const bad = await httpMutation(p.user.id, 'api.update', {
      orgSlug: p.org.slug,
      apiId: p.api.id,
      name: '',
      description: '',
      tags: ['no/slashes'],
      visibility: 'PUBLIC',
    });
    expect(bad).toMatchObject({
      status: 400,
      fields: { name: expect.any(String), 'tags.0': expect.any(String) },
    });
  });

  it('sets the rate-limit accuracy with an audit row, keeps it when omitted and refuses other values', async () => {
    const p = await providerWithPlan();
    const details = { orgSlug: p.org.slug, apiId: p.api.id, name: 'Weather', description: '', tags: [] };
    expect(p.api).toMatchObject({ rateLimitAccuracy: 'EXACT' });
    const updated = await p.caller.api.update({
      ...details,
      visibility: 'PUBLIC',
      rateLimitAccuracy: 'LOCAL_FIRST',
    });
    expect(updated).toMatchObject({ rateLimitAccuracy: 'LOCAL_FIRST' });
    expect(await audit('api.update', p.api.id)).toMatchObject({
      before: { rateLimitAccuracy: 'EXACT' },
      after: { rateLimitAccuracy: 'LOCAL_FIRST' },
    });
    // A client that does not send the field leaves it as it is.
    await p.caller.api.update({ ...details, visibility: 'ORG' });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      visibility: 'ORG',
      rateLimitAccuracy: 'LOCAL_FIRST',
    });
    const bad = await httpMutation(p.user.id, 'api.update', {
      ...details,
      visibility: 'PUBLIC',
      rateLimitAccuracy: 'SLOPPY',
    });
    expect(bad).toMatchObject({ status: 400, fields: { rateLimitAccuracy: expect.any(String) } });
  });

  it('refuses lower roles, other tenants and anonymous callers', async () => {
    const p = await providerWithPlan();
    const input = {
      apiId: p.api.id,
      name: 'X',
      description: '',
      tags: [],
      visibility: 'PRIVATE' as const,
    };
    for (const role of ['DEVELOPER', 'VIEWER'] as const) {
      const { caller } = await addMember(p.org.id, role);
      const org = { orgSlug: p.org.slug };
      await expectTrpcError(caller.api.update({ ...org, ...input }), 'FORBIDDEN');
      await expectTrpcError(
        caller.api.addShare({ ...org, apiId: p.api.id, shareWithSlug: 'x' }),
        'FORBIDDEN',
      );
      await expectTrpcError(
        caller.api.removeShare({ ...org, apiId: p.api.id, sharedOrgId: 'x' }),
        'FORBIDDEN',
      );
      await expectTrpcError(
        caller.api.setAnonymousBrowse({ ...org, allowAnonymousBrowse: true }),
        'FORBIDDEN',
      );
      await expectTrpcError(
        caller.api.publishVersion({ ...org, apiId: p.api.id, version: 'v9' }),
        'FORBIDDEN',
      );
      await expectTrpcError(caller.api.addChangelog({ ...org, apiId: p.api.id, title: 'x' }), 'FORBIDDEN');
      // Reading is fine for every member.
      expect((await caller.api.catalogSettings(org)).canWrite).toBe(false);
      expect((await caller.api.shares({ ...org, apiId: p.api.id })).shares).toEqual([]);
      expect(await caller.api.changelog({ ...org, apiId: p.api.id })).toHaveLength(1);
    }
    const attacker = await member('OWNER', 'attacker');
    const own = { orgSlug: attacker.org.slug };
    const entry = await db.apiChangelogEntry.findFirstOrThrow({ where: { apiId: p.api.id } });
    const attempts: Array<() => Promise<unknown>> = [
      () => attacker.caller.api.update({ ...own, ...input }),
      () => attacker.caller.api.shares({ ...own, apiId: p.api.id }),
      () => attacker.caller.api.addShare({ ...own, apiId: p.api.id, shareWithSlug: attacker.org.slug }),
      () => attacker.caller.api.removeShare({ ...own, apiId: p.api.id, sharedOrgId: attacker.org.id }),
      () => attacker.caller.api.versions({ ...own, apiId: p.api.id }),
      () => attacker.caller.api.publishVersion({ ...own, apiId: p.api.id, version: 'v9' }),
      () => attacker.caller.api.changelog({ ...own, apiId: p.api.id }),
      () => attacker.caller.api.addChangelog({ ...own, apiId: p.api.id, title: 'pwned' }),
      () => attacker.caller.api.removeChangelog({ ...own, entryId: entry.id }),
      () => attacker.caller.api.update({ orgSlug: p.org.slug, ...input }),
    ];
    for (const attempt of attempts) await expectTrpcError(attempt(), 'NOT_FOUND');
    await expectTrpcError(callerFor(null).api.update({ orgSlug: p.org.slug, ...input }), 'UNAUTHORIZED');
    await expectTrpcError(
      callerFor(null).api.setAnonymousBrowse({ orgSlug: p.org.slug, allowAnonymousBrowse: true }),
      'UNAUTHORIZED',
    );
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ name: 'Weather' });
    expect(await db.apiChangelogEntry.count({ where: { apiId: p.api.id } })).toBe(1);
    expect(await db.organization.findUniqueOrThrow({ where: { id: p.org.id } })).toMatchObject({
      allowAnonymousBrowse: false,
    });
  });
});

describe('api sharing and anonymous browsing', () => {
  it('shares with orgs by slug, refuses duplicates, unknown and own orgs, and audits both ways', async () => {
    const p = await providerWithPlan();
    const team = await member('OWNER', 'team');
    const ref = { orgSlug: p.org.slug, apiId: p.api.id };
    expect(await p.caller.api.addShare({ ...ref, shareWithSlug: team.org.slug.toUpperCase() })).toMatchObject(
      {
        id: team.org.id,
        slug: team.org.slug,
      },
    );
    expect((await p.caller.api.shares(ref)).shares).toEqual([
      expect.objectContaining({ id: team.org.id, slug: team.org.slug, name: team.org.name }),
    ]);
    expect(await audit('api.share.add', p.api.id)).toMatchObject({
      actorId: p.user.id,
      after: { sharedWith: team.org.slug },
    });
    const duplicate = await expectTrpcError(
      p.caller.api.addShare({ ...ref, shareWithSlug: team.org.slug }),
      'CONFLICT',
    );
    expect(duplicate.cause).toMatchObject({ fields: { shareWithSlug: expect.any(String) } });
    const unknown = await httpMutation(p.user.id, 'api.addShare', {
      ...ref,
      shareWithSlug: 'no-such-org-xyz',
    });
    expect(unknown).toMatchObject({
      status: 400,
      fields: { shareWithSlug: 'No organization with this slug' },
    });
    await expectTrpcError(p.caller.api.addShare({ ...ref, shareWithSlug: p.org.slug }), 'BAD_REQUEST');

    await p.caller.api.removeShare({ ...ref, sharedOrgId: team.org.id });
    expect((await p.caller.api.shares(ref)).shares).toEqual([]);
    expect(await audit('api.share.remove', p.api.id)).toMatchObject({
      before: { sharedWith: team.org.slug },
    });
    await expectTrpcError(p.caller.api.removeShare({ ...ref, sharedOrgId: team.org.id }), 'NOT_FOUND');
  });

  it('toggles anonymous browsing with an audit row', async () => {
    const owner = await member('OWNER', 'anon');
    const admin = await addMember(owner.org.id, 'ADMIN');
    expect(await owner.caller.api.catalogSettings({ orgSlug: owner.org.slug })).toEqual({
      allowAnonymousBrowse: false,
      canWrite: true,
    });
    await admin.caller.api.setAnonymousBrowse({ orgSlug: owner.org.slug, allowAnonymousBrowse: true });
    expect((await owner.caller.api.catalogSettings({ orgSlug: owner.org.slug })).allowAnonymousBrowse).toBe(
      true,
    );
    expect(await audit('org.setAnonymousBrowse', owner.org.id)).toMatchObject({
      actorId: admin.user.id,
      before: { allowAnonymousBrowse: false },
      after: { allowAnonymousBrowse: true },
    });
  });
});

describe('api versions and changelog', () => {
  it('snapshots on publish, publishes new versions with a diff-driven breaking flag and tells subscribers', async () => {
    const p = await member('OWNER', 'versions');
    const api = await p.caller.api.create({
      orgSlug: p.org.slug,
      name: 'Weather',
      slug: 'weather-versions',
      upstreamUrl: 'http://127.0.0.1:9/',
    });
    const ref = { orgSlug: p.org.slug, apiId: api.id };
    await p.caller.policy.setOpenApiSpec({ ...ref, document: JSON.stringify(specV1) });
    const plan = await p.caller.plan.create({ ...ref, name: 'Free', requiresApproval: false });
    await p.caller.api.publish(ref);
    expect(await p.caller.api.versions(ref)).toMatchObject({
      current: 'v1',
      hasDocument: true,
      versions: [{ version: 'v1' }],
    });
    const consumer = await consumerWithApp();
    await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: plan.id,
    });

    // The same version string cannot be published twice.
    const again = await expectTrpcError(p.caller.api.publishVersion({ ...ref, version: 'v1' }), 'CONFLICT');
    expect(again.cause).toMatchObject({ fields: { version: expect.any(String) } });

    await p.caller.policy.setOpenApiSpec({ ...ref, document: JSON.stringify(specV2) });
    const published = await p.caller.api.publishVersion({ ...ref, version: 'v2' });
    expect(published.diff).toEqual({ breaking: 2, nonBreaking: 1 });
    expect(published.entry).toMatchObject({ version: 'v2', title: 'Version v2', breaking: true });
    expect(published.entry.body).toContain(
      '[breaking] GET /forecast: The query parameter city is now required',
    );
    expect(await db.api.findUniqueOrThrow({ where: { id: api.id } })).toMatchObject({ version: 'v2' });
    expect(await audit('api.publishVersion', api.id)).toMatchObject({
      before: { version: 'v1' },
      after: { version: 'v2', breaking: 2 },
    });
    const notes = await db.notification.findMany({
      where: { userId: consumer.user.id, kind: 'api.breaking_version' },
    });
    expect(notes).toEqual([expect.objectContaining({ title: 'Weather v2 has breaking changes' })]);

    // Consumers compare the two published versions side by side.
    const compared = await consumer.caller.catalog.compare({
      orgSlug: p.org.slug,
      apiSlug: api.slug,
      from: 'v1',
      to: 'v2',
    });
    expect(compared.from.spec).toEqual(specV1);
    expect(compared.to.spec).toEqual(specV2);
    expect(compared.diff.changes.filter((c) => c.level === 'breaking').map((c) => c.kind)).toEqual([
      'parameter.required',
      'response.removed',
    ]);
    await expectTrpcError(
      consumer.caller.catalog.compare({ orgSlug: p.org.slug, apiSlug: api.slug, from: 'v1', to: 'v7' }),
      'NOT_FOUND',
    );

    // A new version without breaking changes is not flagged and tells nobody.
    await p.caller.policy.setOpenApiSpec({
      ...ref,
      document: JSON.stringify({
        ...specV2,
        paths: { ...specV2.paths, '/radar': { get: { responses: {} } } },
      }),
    });
    const additive = await p.caller.api.publishVersion({ ...ref, version: 'v2.1', notes: 'Radar images.' });
    expect(additive.entry).toMatchObject({ breaking: false, body: 'Radar images.' });
    expect(
      await db.notification.count({ where: { userId: consumer.user.id, kind: 'api.breaking_version' } }),
    ).toBe(1);

    const page = await consumer.caller.catalog.get({ orgSlug: p.org.slug, apiSlug: api.slug });
    expect(page.specVersions.map((v) => v.version)).toEqual(['v2.1', 'v2', 'v1']);
    expect(page.changelog.map((e) => e.title)).toEqual(['Version v2.1', 'Version v2', 'Published v1']);
  });

  it('refuses new versions of drafts and of APIs without a document', async () => {
    const p = await providerWithPlan();
    const ref = { orgSlug: p.org.slug, apiId: p.api.id };
    const missing = await httpMutation(p.user.id, 'api.publishVersion', { ...ref, version: 'v2' });
    expect(missing).toMatchObject({
      status: 400,
      fields: { version: expect.stringContaining('no OpenAPI') },
    });
    const bad = await httpMutation(p.user.id, 'api.publishVersion', { ...ref, version: 'v 2!' });
    expect(bad).toMatchObject({ status: 400, fields: { version: expect.any(String) } });
    const draft = await p.caller.api.create({
      orgSlug: p.org.slug,
      name: 'Draft',
      slug: 'draft-versions',
      upstreamUrl: 'http://127.0.0.1:9/',
    });
    await expectTrpcError(
      p.caller.api.publishVersion({ orgSlug: p.org.slug, apiId: draft.id, version: 'v2' }),
      'CONFLICT',
    );
  });

  it('adds and removes changelog entries with audit rows, newest first', async () => {
    const p = await providerWithPlan();
    const ref = { orgSlug: p.org.slug, apiId: p.api.id };
    const first = await p.caller.api.addChangelog({ ...ref, title: 'Faster forecasts', body: 'p99 halved' });
    const second = await p.caller.api.addChangelog({
      ...ref,
      version: 'v1.1',
      title: 'Breaking: units',
      breaking: true,
    });
    expect(first).toMatchObject({ version: 'v1', breaking: false });
    expect((await p.caller.api.changelog(ref)).map((e) => e.id).slice(0, 2)).toEqual([second.id, first.id]);
    expect(await audit('api.changelog.add', second.id)).toMatchObject({
      after: { breaking: true, version: 'v1.1' },
    });
    const blank = await httpMutation(p.user.id, 'api.addChangelog', { ...ref, title: '  ' });
    expect(blank).toMatchObject({ status: 400, fields: { title: expect.any(String) } });

    await p.caller.api.removeChangelog({ orgSlug: p.org.slug, entryId: first.id });
    expect(await db.apiChangelogEntry.findUnique({ where: { id: first.id } })).toBeNull();
    expect(await audit('api.changelog.remove', first.id)).toMatchObject({
      before: { title: 'Faster forecasts' },
    });
    await expectTrpcError(
      p.caller.api.removeChangelog({ orgSlug: p.org.slug, entryId: first.id }),
      'NOT_FOUND',
    );
  });
});
