import { randomBytes } from 'node:crypto';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import type { OrgCtx } from '../context.ts';
import { listPromptVersions, publishPromptVersion } from '../prompt-versions.ts';
import { applyConfig, planConfig } from './apply.ts';

/*
 * Prompt versions in a config document from a hostile tenant or a careless operator: another org's
 * credential ids, patterns that backtrack, nesting past the document limits, numbers out of range,
 * releases of versions neither the file nor the API has, and list cursors that are not version numbers.
 * Each is refused with a 400 naming the field, and nothing is created.
 */

const db = getDb();

async function orgCtx(label: string) {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  const credential = await db.providerCredential.create({
    data: {
      id: `cred_${randomBytes(8).toString('hex')}`,
      orgId: org.id,
      name: 'openai-prod',
      provider: 'openai',
      secretEncrypted: 'not-a-real-secret',
      secretHint: 'abcd',
    },
  });
  const ctx: OrgCtx = { db, org: { id: org.id }, actor: { id: owner.id } };
  return { ctx, credentialId: credential.id };
}

const prompt = (user: string, extra: Record<string, unknown> = {}) => ({
  model: 'fast',
  routes: [{ name: 'fast', targets: [{ credential: 'openai-prod', model: 'gpt-4o-mini' }] }],
  user,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  ...extra,
});

const document = (versions: unknown[], extra: Record<string, unknown> = {}) => ({
  version: 1,
  apis: [
    {
      slug: 'summarise',
      name: 'Summarise',
      kind: 'PROMPT',
      ai: prompt('Summarise: {{text}}'),
      promptVersions: versions,
      ...extra,
    },
  ],
});

const errorOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code?: string; fields?: Record<string, string> }) => error,
  );

const versionCount = (org: OrgCtx) => db.promptVersion.count({ where: { orgId: org.org.id } });

describe('hostile prompt versions in a config document', () => {
  it("refuses a version whose target names another org's credential id", async () => {
    const victim = await orgCtx('pv-hostile-victim');
    const { ctx: org } = await orgCtx('pv-hostile-attacker');
    const foreignTarget = {
      credential: 'openai-prod',
      credentialId: victim.credentialId,
      model: 'gpt-4o-mini',
    };
    const byId = prompt('Hi {{text}}', { routes: [{ name: 'fast', targets: [foreignTarget] }] });
    const error = await errorOf(applyConfig(org, document([{ number: 1, config: byId }])));
    expect(error?.code).toBe('BAD_REQUEST');
    expect(Object.keys(error?.fields ?? {})).toEqual([
      'apis.0.promptVersions.0.config.routes.0.targets.0.credentialId',
    ]);

    const byName = prompt('Hi {{text}}', {
      routes: [{ name: 'fast', targets: [{ credential: victim.credentialId, model: 'gpt-4o-mini' }] }],
    });
    const missing = await errorOf(applyConfig(org, document([{ number: 1, config: byName }])));
    expect(missing?.code).toBe('BAD_REQUEST');

    const moderation = prompt('Hi {{text}}', {
      guardrails: [
        { type: 'moderation', name: 'mod', credential: 'openai-prod', credentialId: victim.credentialId },
      ],
    });
    const ruled = await errorOf(applyConfig(org, document([{ number: 1, config: moderation }])));
    expect(ruled?.code).toBe('BAD_REQUEST');
    expect(await versionCount(org)).toBe(0);
  });

  it('refuses a backtracking guardrail pattern in a version as saving a prompt does', async () => {
    const { ctx: org } = await orgCtx('pv-hostile-regex');
    const config = prompt('Hi {{text}}', {
      guardrails: [{ type: 'pattern', name: 'evil', patterns: ['(a+)+\\1$'] }],
    });
    const error = await errorOf(applyConfig(org, document([{ number: 1, config }])));
    expect(error?.code).toBe('BAD_REQUEST');
    expect(Object.keys(error?.fields ?? {})[0]).toMatch(/^apis\.0\.promptVersions\.0\.config\.guardrails/);
    expect(await versionCount(org)).toBe(0);
  });

  it('refuses a version nested past the document depth when planning and applying', async () => {
    const { ctx: org } = await orgCtx('pv-hostile-deep');
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20_000; i++) deep = { type: 'object', properties: { x: deep } };
    const config = prompt('Hi {{text}}', { inputSchema: deep });
    const planned = await errorOf(planConfig(org, document([{ number: 1, config }])));
    expect(planned === null || planned.code === 'BAD_REQUEST').toBe(true);
    const applied = await errorOf(applyConfig(org, document([{ number: 1, config }])));
    expect(applied?.code).toBe('BAD_REQUEST');
    expect(await versionCount(org)).toBe(0);
  });

  it.each([0, -1, 1.5, '3', 1_000_001, null])('refuses version number %s at its path', async (number) => {
    const { ctx: org } = await orgCtx('pv-hostile-number');
    const error = await errorOf(planConfig(org, document([{ number, config: prompt('Hi {{text}}') }])));
    expect(error?.code).toBe('BAD_REQUEST');
    expect(Object.keys(error?.fields ?? {})).toEqual(['apis.0.promptVersions.0.number']);
  });

  it('keeps versions a file omits for its release, and refuses a release of one nobody has', async () => {
    const { ctx: org } = await orgCtx('pv-hostile-release');
    await applyConfig(org, document([]));
    const api = await db.api.findFirstOrThrow({ where: { orgId: org.org.id, slug: 'summarise' } });
    await publishPromptVersion(org, { apiId: api.id });
    await publishPromptVersion(org, { apiId: api.id });
    const kept = await applyConfig(org, document([], { promptRelease: { versionA: 2 } }));
    expect(kept.applied).toBe(true);
    const error = await errorOf(applyConfig(org, document([], { promptRelease: { versionA: 9 } })));
    expect(error?.code).toBe('BAD_REQUEST');
    expect(Object.keys(error?.fields ?? {})).toEqual(['apis.0.promptRelease.versionA']);
    expect((await db.api.findUniqueOrThrow({ where: { id: api.id } })).promptRelease).toEqual({
      versionA: 2,
      weightB: 0,
    });
  });

  it("answers 400 for a cursor that is not a version number, and never lists another API's rows", async () => {
    const { ctx: org } = await orgCtx('pv-hostile-cursor');
    const other = await orgCtx('pv-hostile-cursor-other');
    await applyConfig(org, document([]));
    await applyConfig(other.ctx, document([]));
    const api = await db.api.findFirstOrThrow({ where: { orgId: org.org.id } });
    const otherApi = await db.api.findFirstOrThrow({ where: { orgId: other.ctx.org.id } });
    for (let i = 0; i < 3; i++) await publishPromptVersion(other.ctx, { apiId: otherApi.id });
    await publishPromptVersion(org, { apiId: api.id });
    for (const cursor of ['abc', 0, -5, 2.5, Number.NaN, {}]) {
      const error = await errorOf(listPromptVersions(org, { apiId: api.id, cursor: cursor as never }));
      expect(error?.code).toBe('BAD_REQUEST');
    }
    const page = await listPromptVersions(org, { apiId: api.id, cursor: 3 });
    expect(page.items.map((v) => v.number)).toEqual([1]);
    expect(await errorOf(listPromptVersions(org, { apiId: otherApi.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
