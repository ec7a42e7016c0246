import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import { setAiPrice } from '../ai-prices.ts';
import { createApi, publishApi, updateApiDetails } from '../api.ts';
import { setAnonymousBrowse } from '../api-share.ts';
import type { OrgCtx } from '../context.ts';
import { archivePlan, createPlan } from '../plan.ts';
import { setOpenApiSpec, updateApiPolicies } from '../policies.ts';
import { applyConfig, exportConfig, planConfig, requiredPermissions } from './apply.ts';

const db = getDb();
const HOST = 'cac-upstream.test';
const SPEC = { openapi: '3.1.0', info: { title: 'Weather', version: '1' }, paths: { '/now': { get: {} } } };

async function orgCtx(label: string): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  await allowUpstreamHosts(db, [HOST], [org.id]);
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

/** A provider org set up through the portal's verbs. */
async function seedProvider(ctx: OrgCtx) {
  const weather = await createApi(ctx, {
    name: 'Weather',
    slug: 'weather',
    kind: 'REST',
    upstreamUrl: `https://${HOST}/v1`,
    visibility: 'PUBLIC',
    description: 'Forecasts',
  });
  await setOpenApiSpec(ctx, { apiId: weather.id, document: JSON.stringify(SPEC) });
  await updateApiDetails(ctx, {
    apiId: weather.id,
    name: 'Weather',
    description: 'Forecasts',
    tags: ['maps', 'geo'],
    visibility: 'PUBLIC',
    rateLimitAccuracy: 'LOCAL_FIRST',
  });
  const policies = (await exportConfig(ctx)).apis[0]?.policies;
  await updateApiPolicies(ctx, { apiId: weather.id, ...policies!, ipDeny: ['203.0.113.0/24'] });
  await createPlan(ctx, {
    apiId: weather.id,
    name: 'Free',
    rateLimit: 10,
    rateLimitWindowSeconds: 60,
    monthlyQuota: 1000,
    requiresApproval: false,
  });
  const old = await createPlan(ctx, {
    apiId: weather.id,
    name: 'Old',
    rateLimit: null,
    rateLimitWindowSeconds: 60,
    monthlyQuota: null,
    requiresApproval: true,
  });
  await archivePlan(ctx, { planId: old.id });
  await publishApi(ctx, { apiId: weather.id });
  await createApi(ctx, {
    name: 'Draft',
    slug: 'draft',
    kind: 'REST',
    upstreamUrl: `https://${HOST}/d`,
    visibility: 'PRIVATE',
    description: '',
  });
  await setAiPrice(ctx, {
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputPerMillion: '0.15',
    outputPerMillion: '0.6',
  });
  await setAiPrice(ctx, {
    provider: 'openai',
    model: 'gpt-image-1',
    inputPerMillion: '5',
    outputPerMillion: '40',
    perImage: '0.042',
    contextWindow: 32_000,
    inputModalities: ['text', 'image'],
    outputModalities: ['image'],
  });
  await setAnonymousBrowse(ctx, { allowAnonymousBrowse: true });
}

const auditCount = (ctx: OrgCtx) => db.auditLog.count({ where: { orgId: ctx.org.id } });

let provider: OrgCtx;
beforeAll(async () => {
  provider = await orgCtx('cac-provider');
  await seedProvider(provider);
});

describe('exportConfig', () => {
  it('writes the APIs, plans (archived included) and settings, without ids or secrets', async () => {
    const doc = await exportConfig(provider);
    expect(doc.org).toEqual({ allowAnonymousBrowse: true });
    expect(doc.aiModelPrices).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '0.15', outputPerMillion: '0.6' },
      {
        provider: 'openai',
        model: 'gpt-image-1',
        inputPerMillion: '5',
        outputPerMillion: '40',
        perImage: '0.042',
        contextWindow: 32_000,
        inputModalities: ['text', 'image'],
        outputModalities: ['image'],
      },
    ]);
    expect(doc.apis.map((a) => [a.slug, a.status])).toEqual([
      ['weather', 'PUBLISHED'],
      ['draft', 'DRAFT'],
    ]);
    const weather = doc.apis[0]!;
    expect(weather).toMatchObject({
      upstreamUrl: `https://${HOST}/v1`,
      tags: ['maps', 'geo'],
      rateLimitAccuracy: 'LOCAL_FIRST',
      openapi: SPEC,
    });
    expect(weather.policies.ipDeny).toEqual(['203.0.113.0/24']);
    expect(weather.plans.map((p) => [p.name, p.rateLimit, p.monthlyQuota, p.archived])).toEqual([
      ['Free', 10, 1000, false],
      ['Old', null, null, true],
    ]);
    expect(JSON.stringify(doc)).not.toContain(provider.org.id);
  });
});

describe('applyConfig', () => {
  it('recreates the whole setup in an empty org; a second apply changes nothing', async () => {
    const source = await exportConfig(provider);
    const empty = await orgCtx('cac-empty');
    const result = await applyConfig(empty, source);
    expect(result.applied).toBe(true);
    expect(result.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toContain('create api weather');
    expect(await exportConfig(empty)).toEqual(source);

    expect((await planConfig(empty, source)).changes).toEqual([]);
    const before = await auditCount(empty);
    expect(await applyConfig(empty, source)).toMatchObject({ changes: [], applied: false });
    expect(await auditCount(empty)).toBe(before);
  });

  it('changes and clears the per-unit prices and model metadata of a price row', async () => {
    const org = await orgCtx('cac-price-extras');
    const row = {
      provider: 'openai',
      model: 'whisper-1',
      inputPerMillion: '0',
      outputPerMillion: '0',
      perAudioSecond: '0.0001',
      maxOutputTokens: 4096,
      inputModalities: ['audio'],
      outputModalities: ['text'],
    };
    await applyConfig(org, { version: 1, aiModelPrices: [row] });
    expect((await exportConfig(org)).aiModelPrices).toEqual([row]);

    const { perAudioSecond: _cleared, maxOutputTokens: _also, ...rest } = row;
    const edited = { ...rest, perCall: '0.002', inputModalities: ['audio', 'text'] };
    const plan = await planConfig(org, { version: 1, aiModelPrices: [edited] });
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]!.fields.map((f) => f.field).sort()).toEqual([
      'inputModalities',
      'maxOutputTokens',
      'perAudioSecond',
      'perCall',
    ]);
    await applyConfig(org, { version: 1, aiModelPrices: [edited] });
    expect((await exportConfig(org)).aiModelPrices).toEqual([edited]);
    expect((await planConfig(org, { version: 1, aiModelPrices: [edited] })).changes).toEqual([]);
  });

  it('refuses unknown modalities and non-decimal unit prices at their paths', async () => {
    const org = await orgCtx('cac-price-bad');
    const error = (await applyConfig(org, {
      version: 1,
      aiModelPrices: [
        {
          provider: 'openai',
          model: 'x',
          inputPerMillion: '1',
          outputPerMillion: '1',
          perImage: '1e3',
          outputModalities: ['video'],
        },
      ],
    }).catch((e: unknown) => e)) as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('BAD_REQUEST');
    expect(Object.keys(error.fields ?? {})).toEqual(
      expect.arrayContaining([
        'aiModelPrices.0.perImage',
        expect.stringMatching(/^aiModelPrices\.0\.outputModalities/),
      ]),
    );
  });

  it('writes the audit rows of the verbs it goes through', async () => {
    const empty = await orgCtx('cac-audit');
    await applyConfig(empty, await exportConfig(provider));
    const actions = (
      await db.auditLog.findMany({ where: { orgId: empty.org.id }, select: { action: true } })
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['api.create', 'api.publish', 'plan.create', 'plan.archive', 'aiPrice.create']),
    );
  });

  it('a dry run reports the changes and saves nothing', async () => {
    const empty = await orgCtx('cac-dry');
    const blank = await exportConfig(empty);
    const result = await applyConfig(empty, await exportConfig(provider), { dryRun: true });
    expect(result.applied).toBe(false);
    expect(result.changes.length).toBeGreaterThan(3);
    expect(await exportConfig(empty)).toEqual(blank);
    expect(await auditCount(empty)).toBe(0);
  });

  it('refuses an invalid document with field errors at their paths', async () => {
    const empty = await orgCtx('cac-invalid');
    const error = await applyConfig(empty, {
      version: 1,
      apis: [
        { slug: 'Bad Slug', name: 'x', upstreamUrl: 'ftp://nope' },
        { slug: 'ok', name: 'ok', upstreamUrl: `https://${HOST}`, plans: [{ name: 'A', rateLimit: -1 }] },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_REQUEST');
    expect((error as DomainError).fields).toMatchObject({
      'apis.0.slug': expect.any(String),
      'apis.0.upstreamUrl': expect.any(String),
      'apis.1.plans.0.rateLimit': expect.any(String),
    });
    expect(await auditCount(empty)).toBe(0);
  });

  it('refuses a document nested too deep for the readers with a 400, not a crash', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const doc = {
      version: 1,
      apis: [{ slug: 'deep', name: 'Deep', upstreamUrl: `https://${HOST}`, openapi: deep }],
    };
    const error = (await planConfig(provider, doc).catch((e: unknown) => e)) as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields).toHaveProperty(['apis']);
  });

  it('reports a verb refusal under the document path and rolls everything back', async () => {
    const empty = await orgCtx('cac-refused');
    const doc = {
      version: 1,
      apis: [
        { slug: 'fine', name: 'Fine', upstreamUrl: `https://${HOST}/a` },
        { slug: 'inner', name: 'Inner', upstreamUrl: 'http://10.0.0.5/' },
      ],
    };
    const reserved = (await applyConfig(empty, {
      version: 1,
      apis: [{ slug: 'admin', name: 'Admin', upstreamUrl: `https://${HOST}/a` }],
    }).catch((e: unknown) => e)) as DomainError;
    expect(reserved.fields).toEqual({ 'apis.0.slug': 'This slug is reserved' });
    const error = (await applyConfig(empty, doc).catch((e: unknown) => e)) as DomainError;
    expect(error.code).toBe('BAD_REQUEST');
    expect(Object.keys(error.fields ?? {})).toEqual(['apis.1.upstreamUrl']);
    expect(await db.api.count({ where: { orgId: empty.org.id } })).toBe(0);
  });

  it("leaves another org's API of the same slug alone, also when pruning", async () => {
    const mine = await orgCtx('cac-mine');
    const theirs = await orgCtx('cac-theirs');
    await applyConfig(theirs, {
      version: 1,
      apis: [{ slug: 'weather', name: 'Theirs', upstreamUrl: `https://${HOST}/t`, status: 'PUBLISHED' }],
    });
    const theirsBefore = await exportConfig(theirs);
    await applyConfig(mine, {
      version: 1,
      apis: [{ slug: 'weather', name: 'Mine', upstreamUrl: `https://${HOST}/m`, plans: [{ name: 'P' }] }],
    });
    await applyConfig(mine, { version: 1, apis: [] }, { prune: true });
    expect(await exportConfig(theirs)).toEqual(theirsBefore);
    expect((await exportConfig(mine)).apis).toEqual([]);
  });

  it('prunes only when asked: plans archived, published APIs retired through the lifecycle', async () => {
    const org = await orgCtx('cac-prune');
    await applyConfig(org, await exportConfig(provider));
    const withoutFree = await exportConfig(org);
    const weather = withoutFree.apis.find((a) => a.slug === 'weather')!;
    weather.plans = weather.plans.filter((p) => p.name !== 'Free');
    const onlyWeather = { ...withoutFree, apis: [weather] };

    expect((await planConfig(org, onlyWeather)).changes).toEqual([]);
    const plan = await planConfig(org, onlyWeather, { prune: true });
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'archive plan weather/Free',
      'delete api draft',
    ]);
    await applyConfig(org, onlyWeather, { prune: true });
    const after = await exportConfig(org);
    expect(after.apis.map((a) => a.slug)).toEqual(['weather']);
    expect(after.apis[0]?.plans.find((p) => p.name === 'Free')?.archived).toBe(true);

    const retired = await planConfig(org, { ...after, apis: [] }, { prune: true });
    expect(retired.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(['retire api weather']);
    expect(requiredPermissions(retired.changes)).toEqual(['api.lifecycle']);
  });

  it('refuses to move the lifecycle backwards', async () => {
    const org = await orgCtx('cac-back');
    await applyConfig(org, {
      version: 1,
      apis: [{ slug: 'svc', name: 'Svc', upstreamUrl: `https://${HOST}/s`, status: 'PUBLISHED' }],
    });
    const error = (await applyConfig(org, {
      version: 1,
      apis: [{ slug: 'svc', name: 'Svc', upstreamUrl: `https://${HOST}/s`, status: 'DRAFT' }],
    }).catch((e: unknown) => e)) as DomainError;
    expect(error.code).toBe('CONFLICT');
    expect(error.fields).toHaveProperty(['apis.0.status']);
  });

  it('names the permissions its changes need and lets the caller refuse them', async () => {
    const org = await orgCtx('cac-perm');
    const doc = await exportConfig(provider);
    const { changes } = await planConfig(org, doc);
    expect(requiredPermissions(changes)).toEqual(['api.write', 'plan.write', 'policy.write']);
    const refused = await applyConfig(org, doc, {
      authorize: (permissions) => {
        if (permissions.includes('policy.write')) throw new DomainError('FORBIDDEN', 'no');
      },
    }).catch((e: unknown) => e);
    expect((refused as DomainError).code).toBe('FORBIDDEN');
    expect(await db.api.count({ where: { orgId: org.org.id } })).toBe(0);
  });
});
