import { randomBytes } from 'node:crypto';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import type { OrgCtx } from '../context.ts';
import { publishPromptVersion } from '../prompt-versions.ts';
import { applyConfig, exportConfig, planConfig } from './apply.ts';

const db = getDb();

async function orgCtx(label: string): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  await db.providerCredential.create({
    data: {
      id: `cred_${randomBytes(8).toString('hex')}`,
      orgId: org.id,
      name: 'openai-prod',
      provider: 'openai',
      secretEncrypted: 'not-a-real-secret',
      secretHint: 'abcd',
    },
  });
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

const promptApi = (promptRelease?: unknown) => ({
  slug: 'summarise',
  name: 'Summarise',
  kind: 'PROMPT',
  ai: {
    model: 'fast',
    routes: [{ name: 'fast', targets: [{ credential: 'openai-prod', model: 'gpt-4o-mini' }] }],
    user: 'Summarise: {{text}}',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  },
  ...(promptRelease === undefined ? {} : { promptRelease }),
});

describe('config as code: prompt releases', () => {
  it('exports the release and applies a change of it (rollback, split) as a policy change', async () => {
    const org = await orgCtx('cac-release');
    await applyConfig(org, { version: 1, apis: [promptApi()] });
    const api = await db.api.findFirstOrThrow({ where: { orgId: org.org.id, slug: 'summarise' } });
    await publishPromptVersion(org, { apiId: api.id });
    await publishPromptVersion(org, { apiId: api.id });
    expect((await exportConfig(org)).apis[0]?.promptRelease).toBeNull();

    const split = { version: 1, apis: [promptApi({ versionA: 1, versionB: 2, weightB: 20 })] };
    const plan = await planConfig(org, split);
    expect(plan.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        fields: [expect.objectContaining({ field: 'promptRelease', before: null })],
        permissions: ['policy.write'],
      }),
    ]);
    await applyConfig(org, split);
    const exported = await exportConfig(org);
    expect(exported.apis[0]?.promptRelease).toEqual({ versionA: 1, versionB: 2, weightB: 20 });
    expect((await planConfig(org, exported)).changes).toEqual([]);

    await applyConfig(org, { version: 1, apis: [promptApi({ versionA: 1 })] });
    expect((await db.api.findUniqueOrThrow({ where: { id: api.id } })).promptRelease).toEqual({
      versionA: 1,
      weightB: 0,
    });
  });

  it('refuses a release naming versions the org has not published, at its path', async () => {
    const org = await orgCtx('cac-release-missing');
    const error = await applyConfig(org, { version: 1, apis: [promptApi({ versionA: 3 })] }).then(
      () => null,
      (e: { code?: string; fields?: Record<string, string> }) => e,
    );
    expect(error?.code).toBe('BAD_REQUEST');
    expect(Object.keys(error?.fields ?? {})).toEqual(['apis.0.promptRelease.versionA']);
    expect(await db.api.count({ where: { orgId: org.org.id } })).toBe(0);
  });
});
