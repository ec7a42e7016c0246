import { randomBytes } from 'node:crypto';
import type { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import type { OrgCtx } from '../context.ts';
import { applyConfig, exportConfig, planConfig } from './apply.ts';

const db = getDb();
const HOST = 'cac-kinds.test';
const SPEC = { openapi: '3.1.0', info: { title: 'S', version: '1' }, paths: { '/a': { get: {} } } };

async function orgCtx(label: string): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  await allowUpstreamHosts(db, [HOST], [org.id]);
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

/** A stored credential (the secret is irrelevant here: config as code never sees it). */
async function seedCredential(ctx: OrgCtx, name: string) {
  return db.providerCredential.create({
    data: {
      id: `cred_${randomBytes(8).toString('hex')}`,
      orgId: ctx.org.id,
      name,
      provider: 'openai',
      secretEncrypted: 'not-a-real-secret',
      secretHint: 'abcd',
    },
  });
}

const aiApi = (credential: string) => ({
  slug: 'assistant',
  name: 'Assistant',
  kind: 'AI',
  ai: { routes: [{ name: 'fast', targets: [{ credential, model: 'gpt-4o-mini' }] }] },
});

describe('AI APIs and provider credentials', () => {
  it('names credentials in the file, resolves them per org and round-trips', async () => {
    const org = await orgCtx('cac-ai');
    const credential = await seedCredential(org, 'openai-prod');
    const doc = { version: 1, apis: [aiApi('openai-prod')] };
    await applyConfig(org, doc);
    const stored = await db.api.findFirstOrThrow({ where: { orgId: org.org.id, slug: 'assistant' } });
    expect(JSON.stringify(stored.ai)).toContain(credential.id);
    const exported = await exportConfig(org);
    expect(JSON.stringify(exported)).not.toContain(credential.id);
    expect(exported.apis[0]?.ai).toMatchObject({ routes: [{ targets: [{ credential: 'openai-prod' }] }] });
    expect((await planConfig(org, doc)).changes).toEqual([]);
    expect((await planConfig(org, exported)).changes).toEqual([]);
  });

  it("reports credentials the org lacks (another org's of that name does not count)", async () => {
    const org = await orgCtx('cac-nocred');
    const other = await orgCtx('cac-othercred');
    await seedCredential(other, 'openai-prod');
    const doc = { version: 1, apis: [aiApi('openai-prod')] };
    const dry = await applyConfig(org, doc, { dryRun: true });
    expect(dry.missingCredentials).toEqual([
      { name: 'openai-prod', path: 'apis.0.ai.routes.0.targets.0.credential' },
    ]);
    expect(dry.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(['create api assistant']);
    const error = (await applyConfig(org, doc).catch((e: unknown) => e)) as DomainError;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields).toEqual({
      'apis.0.ai.routes.0.targets.0.credential': 'No provider credential named "openai-prod"',
    });
    expect(await db.api.count({ where: { orgId: org.org.id } })).toBe(0);
  });
});

describe('moderation guardrails name their credential too', () => {
  const moderated = (credential: string) => ({
    ...aiApi('openai-prod'),
    ai: {
      routes: [
        {
          name: 'fast',
          targets: [{ credential: 'openai-prod', model: 'gpt-4o-mini' }],
          guardrails: [{ type: 'moderation', name: 'route-safety', credential }],
        },
      ],
      guardrails: [{ type: 'moderation', name: 'safety', credential }],
    },
  });

  it('resolves, exports and round-trips moderation rules by credential name', async () => {
    const org = await orgCtx('cac-mod');
    await seedCredential(org, 'openai-prod');
    const moderation = await seedCredential(org, 'moderation');
    const doc = { version: 1, apis: [moderated('moderation')] };
    await applyConfig(org, doc);
    const stored = await db.api.findFirstOrThrow({ where: { orgId: org.org.id, slug: 'assistant' } });
    expect(stored.ai).toMatchObject({
      guardrails: [{ name: 'safety', credentialId: moderation.id }],
      routes: [{ guardrails: [{ name: 'route-safety', credentialId: moderation.id }] }],
    });
    const exported = await exportConfig(org);
    expect(JSON.stringify(exported)).not.toContain(moderation.id);
    expect(exported.apis[0]?.ai).toMatchObject({ guardrails: [{ credential: 'moderation' }] });
    expect((await planConfig(org, exported)).changes).toEqual([]);
  });

  it("reports a moderation credential the org lacks, another org's id included", async () => {
    const org = await orgCtx('cac-modmissing');
    const other = await orgCtx('cac-modother');
    await seedCredential(org, 'openai-prod');
    const foreign = await seedCredential(other, 'moderation');
    const dry = await applyConfig(org, { version: 1, apis: [moderated(foreign.id)] }, { dryRun: true });
    expect(dry.missingCredentials).toEqual([
      { name: foreign.id, path: 'apis.0.ai.routes.0.guardrails.0.credential' },
      { name: foreign.id, path: 'apis.0.ai.guardrails.0.credential' },
    ]);
  });
});

describe('lifecycle, versions, MCP, pricing and canonical forms', () => {
  it('recreates a deprecated API with its sunset, a new version, an MCP API and priced plans', async () => {
    const org = await orgCtx('cac-rich');
    const sunsetAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const doc = {
      version: 1,
      apis: [
        {
          slug: 'legacy',
          name: 'Legacy',
          upstreamUrl: `https://${HOST}/l`,
          status: 'DEPRECATED',
          sunsetAt,
          openapi: SPEC,
          plans: [
            {
              name: 'Paid',
              pricing: { model: 'flat', flatFee: '49.00', currency: 'eur' },
              aiLimits: [{ metric: 'tokens', window: 'day', scope: 'key', limit: '100000' }],
              limits: [{ limit: 5, windowSeconds: 1, scope: 'ip' }],
            },
          ],
        },
        {
          slug: 'tools',
          name: 'Tools',
          kind: 'MCP',
          upstreamUrl: `https://${HOST}/mcp`,
          mcp: { tools: ['search', 'search'], allowAllTools: false },
        },
      ],
    };
    const first = await applyConfig(org, doc);
    expect(first.changes.find((c) => c.name === 'legacy/Paid')?.permissions).toEqual([
      'plan.write',
      'billing.manage',
    ]);
    const exported = await exportConfig(org);
    expect(exported.apis.map((a) => [a.slug, a.kind, a.status, a.sunsetAt, a.upstreamUrl])).toEqual([
      ['legacy', 'REST', 'DEPRECATED', sunsetAt, `https://${HOST}/l`],
      ['tools', 'MCP', 'DRAFT', null, `https://${HOST}/mcp`],
    ]);
    expect(exported.apis[1]?.mcp.tools).toEqual(['search']);
    expect(exported.apis[0]?.plans[0]?.pricing).toMatchObject({
      model: 'flat',
      flatFee: '49.00',
      currency: 'eur',
    });
    expect((await planConfig(org, doc)).changes).toEqual([]);

    const bumped = structuredClone(exported);
    bumped.apis[0]!.version = 'v2';
    const plan = await applyConfig(org, bumped);
    expect(plan.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        name: 'legacy',
        fields: [{ field: 'version', before: 'v1', after: 'v2' }],
      }),
    ]);
    expect(await db.apiSpecVersion.count({ where: { api: { orgId: org.org.id, slug: 'legacy' } } })).toBe(2);
  });

  it('compares policies in their stored form, so shorthand does not show as a change forever', async () => {
    const org = await orgCtx('cac-canon');
    const doc = {
      version: 1,
      apis: [
        {
          slug: 'svc',
          name: 'Svc',
          upstreamUrl: `https://${HOST}/s`,
          policies: {
            ipAllow: ['198.51.100.7'],
            cors: { enabled: true, allowOrigins: ['https://app.example.com/'] },
          },
        },
      ],
    };
    await applyConfig(org, doc);
    expect((await exportConfig(org)).apis[0]?.policies).toMatchObject({
      ipAllow: ['198.51.100.7/32'],
      cors: { allowOrigins: ['https://app.example.com'] },
    });
    expect((await planConfig(org, doc)).changes).toEqual([]);
  });
});
