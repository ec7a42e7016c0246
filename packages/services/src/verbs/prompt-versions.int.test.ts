import { randomBytes } from 'node:crypto';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedOrg, seedUser } from '../../../../test/fixtures.ts';
import { setPromptConfig } from './ai-api-config.ts';
import type { OrgCtx } from './context.ts';
import { listPromptVersions, publishPromptVersion, setPromptRelease } from './prompt-versions.ts';

const db = getDb();

async function orgCtx(label: string): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

const promptDoc = (credentialId: string, user: string) => ({
  model: 'fast',
  routes: [{ name: 'fast', targets: [{ credentialId, model: 'gpt-4o-mini' }] }],
  user,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
});

/** A prompt API with a saved working copy, in an org with one credential. */
async function promptApi(ctx: OrgCtx, slug = 'summarise') {
  const credential = await db.providerCredential.create({
    data: {
      id: `cred_${randomBytes(8).toString('hex')}`,
      orgId: ctx.org.id,
      name: `openai-${slug}`,
      provider: 'openai',
      secretEncrypted: 'not-a-real-secret',
      secretHint: 'abcd',
    },
  });
  const api = await db.api.create({
    data: { orgId: ctx.org.id, slug, name: slug, kind: 'PROMPT', upstreamUrl: '' },
  });
  await setPromptConfig(ctx, { apiId: api.id, config: promptDoc(credential.id, 'Summarise: {{text}}') });
  return { api, credentialId: credential.id };
}

const errorOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code?: string; message?: string; fields?: Record<string, string> }) => error,
  );

describe('prompt versions', () => {
  it('publishes the working copy as numbered, immutable snapshots', async () => {
    const ctx = await orgCtx('pv-publish');
    const { api, credentialId } = await promptApi(ctx);
    const first = await publishPromptVersion(ctx, { apiId: api.id, note: 'first cut' });
    await setPromptConfig(ctx, { apiId: api.id, config: promptDoc(credentialId, 'Shorter: {{text}}') });
    const second = await publishPromptVersion(ctx, { apiId: api.id });
    expect([first.number, second.number]).toEqual([1, 2]);

    const list = await listPromptVersions(ctx, { apiId: api.id });
    expect(list.release).toBeNull();
    expect(list.items.map((v) => [v.number, v.note, v.livePercent])).toEqual([
      [2, '', null],
      [1, 'first cut', null],
    ]);
    expect(list.items[1]?.config).toMatchObject({ user: 'Summarise: {{text}}' });
    expect(list.items[0]?.config).toMatchObject({ user: 'Shorter: {{text}}' });
    expect(list.items[0]?.createdBy).toBeTruthy();
    const audit = await db.auditLog.count({
      where: { orgId: ctx.org.id, targetId: api.id, action: 'api.publishPromptVersion' },
    });
    expect(audit).toBe(2);
  });

  it('numbers concurrent publishes 1..n without gaps or duplicates', async () => {
    const ctx = await orgCtx('pv-race');
    const { api } = await promptApi(ctx);
    const published = await Promise.all(
      Array.from({ length: 6 }, (_, i) => publishPromptVersion(ctx, { apiId: api.id, note: `n${i}` })),
    );
    expect(published.map((v) => v.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await db.promptVersion.count({ where: { apiId: api.id } })).toBe(6);
  });

  it('releases one version, a split, rolls back, and goes back to the working copy', async () => {
    const ctx = await orgCtx('pv-release');
    const { api } = await promptApi(ctx);
    await publishPromptVersion(ctx, { apiId: api.id });
    await publishPromptVersion(ctx, { apiId: api.id });

    await setPromptRelease(ctx, { apiId: api.id, release: { versionA: 1, versionB: 2, weightB: 20 } });
    let list = await listPromptVersions(ctx, { apiId: api.id });
    expect(list.items.map((v) => [v.number, v.livePercent])).toEqual([
      [2, 20],
      [1, 80],
    ]);
    await setPromptRelease(ctx, { apiId: api.id, release: { versionA: 1 } });
    list = await listPromptVersions(ctx, { apiId: api.id });
    expect(list.release).toEqual({ versionA: 1, weightB: 0 });
    await setPromptRelease(ctx, { apiId: api.id, release: null });
    const stored = await db.api.findUniqueOrThrow({ where: { id: api.id } });
    expect(stored.promptRelease).toBeNull();
    const audit = await db.auditLog.count({
      where: { orgId: ctx.org.id, targetId: api.id, action: 'api.releasePrompt' },
    });
    expect(audit).toBe(3);
  });

  it("refuses versions the API does not have, another API's or another tenant's", async () => {
    const ctx = await orgCtx('pv-refuse');
    const { api } = await promptApi(ctx, 'one');
    const { api: other } = await promptApi(ctx, 'two');
    await publishPromptVersion(ctx, { apiId: api.id });
    await publishPromptVersion(ctx, { apiId: api.id });
    await publishPromptVersion(ctx, { apiId: other.id });

    // `other` has only version 1: version 2 of `api` is not one of its versions
    const foreign = await errorOf(
      setPromptRelease(ctx, { apiId: other.id, release: { versionA: 1, versionB: 2, weightB: 50 } }),
    );
    expect(foreign).toMatchObject({ code: 'BAD_REQUEST' });
    expect(foreign?.fields).toEqual({ 'release.versionB': 'This API has no version 2' });

    const same = await errorOf(
      setPromptRelease(ctx, { apiId: api.id, release: { versionA: 2, versionB: 2, weightB: 50 } }),
    );
    expect(same).toMatchObject({ code: 'BAD_REQUEST' });
    const weight = await errorOf(
      setPromptRelease(ctx, { apiId: api.id, release: { versionA: 1, versionB: 2, weightB: 150 } }),
    );
    expect(weight).toMatchObject({ code: 'BAD_REQUEST' });

    const stranger = await orgCtx('pv-stranger');
    for (const call of [
      () => setPromptRelease(stranger, { apiId: api.id, release: { versionA: 1 } }),
      () => publishPromptVersion(stranger, { apiId: api.id }),
      () => listPromptVersions(stranger, { apiId: api.id }),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect((await db.api.findUniqueOrThrow({ where: { id: other.id } })).promptRelease).toBeNull();
  });

  it('documents the released version, not the working copy, while one is released', async () => {
    const ctx = await orgCtx('pv-docs');
    const { api, credentialId } = await promptApi(ctx);
    const withInput = (name: string) => ({
      ...promptDoc(credentialId, `Summarise: {{${name}}}`),
      inputSchema: { type: 'object', properties: { [name]: { type: 'string' } } },
    });
    const documentedInput = async () => {
      const stored = await db.api.findUniqueOrThrow({ where: { id: api.id } });
      // The run operation's request body schema: `{{name}}` variables are its properties.
      const text = JSON.stringify(stored.openapiSpec);
      return ['alpha', 'beta', 'gamma'].filter((name) => text.includes(`"${name}":{"type":"string"}`));
    };
    await setPromptConfig(ctx, { apiId: api.id, config: withInput('alpha') });
    await publishPromptVersion(ctx, { apiId: api.id });
    await setPromptConfig(ctx, { apiId: api.id, config: withInput('beta') });
    await publishPromptVersion(ctx, { apiId: api.id });
    expect(await documentedInput()).toEqual(['beta']);

    await setPromptRelease(ctx, { apiId: api.id, release: { versionA: 1 } });
    expect(await documentedInput()).toEqual(['alpha']);
    // Editing the working copy leaves the live documentation alone.
    await setPromptConfig(ctx, { apiId: api.id, config: withInput('gamma') });
    expect(await documentedInput()).toEqual(['alpha']);
    // A split documents the version most calls reach.
    await setPromptRelease(ctx, { apiId: api.id, release: { versionA: 1, versionB: 2, weightB: 70 } });
    expect(await documentedInput()).toEqual(['beta']);
    await setPromptRelease(ctx, { apiId: api.id, release: null });
    expect(await documentedInput()).toEqual(['gamma']);
  });

  it('pages the versions newest first by number, every version once', async () => {
    const ctx = await orgCtx('pv-paging');
    const { api } = await promptApi(ctx);
    for (let i = 0; i < 5; i++) await publishPromptVersion(ctx, { apiId: api.id, note: `v${i + 1}` });
    await setPromptRelease(ctx, { apiId: api.id, release: { versionA: 1 } });
    const seen: number[][] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = await listPromptVersions(ctx, { apiId: api.id, limit: 2, cursor });
      expect(page.release).toEqual({ versionA: 1, weightB: 0 });
      seen.push(page.items.map((v) => v.number));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([[5, 4], [3, 2], [1]]);
    const whole = await listPromptVersions(ctx, { apiId: api.id, limit: 5 });
    expect([whole.items.length, whole.nextCursor]).toEqual([5, null]);
    for (const bad of [{ limit: 0 }, { limit: 201 }, { cursor: 0 }, { cursor: 1.5 }]) {
      expect(await errorOf(listPromptVersions(ctx, { apiId: api.id, ...bad }))).toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
  });

  it('refuses to version an API that is not a prompt API', async () => {
    const ctx = await orgCtx('pv-rest');
    const rest = await db.api.create({
      data: { orgId: ctx.org.id, slug: 'rest', name: 'REST', upstreamUrl: 'http://127.0.0.1:9/u' },
    });
    expect(await errorOf(publishPromptVersion(ctx, { apiId: rest.id }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});
