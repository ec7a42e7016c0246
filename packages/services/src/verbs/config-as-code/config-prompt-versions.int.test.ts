import { randomBytes } from 'node:crypto';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import type { OrgCtx } from '../context.ts';
import { publishPromptVersion } from '../prompt-versions.ts';
import { applyConfig, exportConfig, planConfig, requiredPermissions } from './apply.ts';

const db = getDb();

async function orgCtx(label: string, credentials = ['openai-prod']): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  for (const name of credentials) {
    await db.providerCredential.create({
      data: {
        id: `cred_${randomBytes(8).toString('hex')}`,
        orgId: org.id,
        name,
        provider: 'openai',
        secretEncrypted: 'not-a-real-secret',
        secretHint: 'abcd',
      },
    });
  }
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

const prompt = (user: string, credential = 'openai-prod') => ({
  model: 'fast',
  routes: [{ name: 'fast', targets: [{ credential, model: 'gpt-4o-mini' }] }],
  user,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
});

const promptApi = (extra: Record<string, unknown> = {}) => ({
  slug: 'summarise',
  name: 'Summarise',
  kind: 'PROMPT',
  ai: prompt('Summarise: {{text}}'),
  ...extra,
});

const errorOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code?: string; message?: string; fields?: Record<string, string> }) => error,
  );

const versionRows = async (org: OrgCtx) =>
  (
    await db.promptVersion.findMany({
      where: { orgId: org.org.id },
      orderBy: { number: 'asc' },
      select: { number: true, note: true },
    })
  ).map((v) => [v.number, v.note]);

/** An org with a prompt API whose versions are 1 and 2 (published) and 4 (from a document), 2 and 4 live. */
async function sourceOrg(label: string) {
  const org = await orgCtx(label);
  await applyConfig(org, { version: 1, apis: [promptApi()] });
  const api = await db.api.findFirstOrThrow({ where: { orgId: org.org.id, slug: 'summarise' } });
  await publishPromptVersion(org, { apiId: api.id, note: 'first cut' });
  await publishPromptVersion(org, { apiId: api.id });
  const exported = await exportConfig(org);
  const withFour = {
    ...exported,
    apis: [
      {
        ...exported.apis[0],
        promptVersions: [
          ...(exported.apis[0]?.promptVersions ?? []),
          { number: 4, note: 'terse', config: prompt('Tersely: {{text}}') },
        ],
        promptRelease: { versionA: 2, versionB: 4, weightB: 10 },
      },
    ],
  };
  await applyConfig(org, withFour);
  return { org, api };
}

describe('config as code: prompt versions', () => {
  it('exports the versions by number and recreates them with the release in an empty org', async () => {
    const { org } = await sourceOrg('cac-pv-source');
    const exported = await exportConfig(org);
    const versions = exported.apis[0]?.promptVersions ?? [];
    expect(versions.map((v) => [v.number, v.note])).toEqual([
      [1, 'first cut'],
      [2, ''],
      [4, 'terse'],
    ]);
    expect(versions[2]?.config).toMatchObject({
      user: 'Tersely: {{text}}',
      routes: [{ targets: [{ credential: 'openai-prod', model: 'gpt-4o-mini' }] }],
    });

    const target = await orgCtx('cac-pv-target');
    const plan = await planConfig(target, exported);
    expect(plan.changes.map((c) => [c.action, c.kind, c.name])).toEqual([
      ['create', 'api', 'summarise'],
      ['create', 'promptVersion', 'summarise/1'],
      ['create', 'promptVersion', 'summarise/2'],
      ['create', 'promptVersion', 'summarise/4'],
      ['update', 'api', 'summarise'],
    ]);
    expect(plan.changes[1]?.permissions).toEqual(['policy.write']);
    expect(plan.changes[4]?.fields).toEqual([
      { field: 'promptRelease', before: null, after: { versionA: 2, versionB: 4, weightB: 10 } },
    ]);

    const applied = await applyConfig(target, exported);
    expect(applied.applied).toBe(true);
    expect(await versionRows(target)).toEqual([
      [1, 'first cut'],
      [2, ''],
      [4, 'terse'],
    ]);
    expect(await exportConfig(target)).toEqual(exported);
    const again = await applyConfig(target, exported);
    expect(again).toMatchObject({ changes: [], applied: false });

    // Numbers are never reused: the next publish continues after the highest, gap included.
    const api = await db.api.findFirstOrThrow({ where: { orgId: target.org.id, slug: 'summarise' } });
    expect((await publishPromptVersion(target, { apiId: api.id })).number).toBe(5);
  });

  it('refuses to change a published version, at its path, and changes nothing', async () => {
    const { org } = await sourceOrg('cac-pv-immutable');
    const exported = await exportConfig(org);
    const versions = exported.apis[0]?.promptVersions ?? [];
    const edits = [
      { ...versions[1]!, note: 'renamed' },
      { ...versions[1]!, config: prompt('Changed: {{text}}') },
    ];
    for (const edit of edits) {
      const changed = {
        ...exported,
        apis: [{ ...exported.apis[0], promptVersions: [versions[0], edit, versions[2]] }],
      };
      const error = await errorOf(applyConfig(org, changed));
      expect(error?.code).toBe('CONFLICT');
      expect(error?.fields).toEqual({
        'apis.0.promptVersions.1': 'Published versions cannot change; publish a new number',
      });
      expect(await exportConfig(org)).toEqual(exported);
    }
  });

  it('keeps versions the file leaves out, even when pruning', async () => {
    const { org } = await sourceOrg('cac-pv-prune');
    const before = await versionRows(org);
    const exported = await exportConfig(org);
    const withoutVersions = { ...exported, apis: [{ ...exported.apis[0], promptVersions: [] }] };
    for (const prune of [false, true]) {
      expect((await planConfig(org, withoutVersions, { prune })).changes).toEqual([]);
      await applyConfig(org, withoutVersions, { prune });
    }
    expect(await versionRows(org)).toEqual(before);
  });

  it('rolls a dry run back and asks for the permission publishing asks for', async () => {
    const { org } = await sourceOrg('cac-pv-dry');
    const exported = await exportConfig(org);
    const target = await orgCtx('cac-pv-dry-target');
    const asked: string[][] = [];
    const result = await applyConfig(target, exported, {
      dryRun: true,
      authorize: (permissions) => {
        asked.push(permissions);
      },
    });
    expect(result.applied).toBe(false);
    expect(result.changes.filter((c) => c.kind === 'promptVersion')).toHaveLength(3);
    expect(asked).toEqual([['api.write', 'policy.write']]);
    expect(requiredPermissions(result.changes.filter((c) => c.kind === 'promptVersion'))).toEqual([
      'policy.write',
    ]);
    expect(await versionRows(target)).toEqual([]);
    expect(await db.api.count({ where: { orgId: target.org.id } })).toBe(0);
  });

  it('names missing credentials and invalid prompts of new versions at their paths', async () => {
    const org = await orgCtx('cac-pv-invalid');
    const missing = await applyConfig(
      org,
      {
        version: 1,
        apis: [promptApi({ promptVersions: [{ number: 1, config: prompt('Hi {{text}}', 'anthropic') }] })],
      },
      { dryRun: true },
    );
    expect(missing.missingCredentials).toEqual([
      { name: 'anthropic', path: 'apis.0.promptVersions.0.config.routes.0.targets.0.credential' },
    ]);

    const invalid = await errorOf(
      applyConfig(org, {
        version: 1,
        apis: [promptApi({ promptVersions: [{ number: 1, config: { ...prompt('Hi {{name}}') } }] })],
      }),
    );
    expect(invalid?.code).toBe('BAD_REQUEST');
    expect(Object.keys(invalid?.fields ?? {})).toEqual(['apis.0.promptVersions.0.config.inputSchema']);

    const twice = await errorOf(
      planConfig(org, {
        version: 1,
        apis: [
          promptApi({
            promptVersions: [
              { number: 3, config: prompt('A {{text}}') },
              { number: 3, config: prompt('B {{text}}') },
            ],
          }),
        ],
      }),
    );
    expect(twice?.fields).toEqual({ 'apis.0.promptVersions.1.number': 'Version numbers are unique per API' });
    expect(await db.api.count({ where: { orgId: org.org.id } })).toBe(0);
  });
});
