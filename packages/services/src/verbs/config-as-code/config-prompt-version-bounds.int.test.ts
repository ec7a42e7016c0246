import { randomBytes } from 'node:crypto';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import type { OrgCtx } from '../context.ts';
import { listPromptVersions, publishPromptVersion, setPromptRelease } from '../prompt-versions.ts';
import { applyConfig, exportConfig, planConfig } from './apply.ts';

/*
 * Version numbers stop at 1,000,000: a release, the list's cursor and a config document accept no
 * higher one. A document may bring a version with the highest number, and publishing continues after
 * the highest: every version an API ends up with must still be one those accept.
 */

const db = getDb();
const HIGHEST = 1_000_000;

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

const prompt = (user: string) => ({
  model: 'fast',
  routes: [{ name: 'fast', targets: [{ credential: 'openai-prod', model: 'gpt-4o-mini' }] }],
  user,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
});

/** An org whose prompt API holds version 1,000,000, brought by a document. */
async function orgAtHighestNumber(label: string) {
  const org = await orgCtx(label);
  await applyConfig(org, {
    version: 1,
    apis: [
      {
        slug: 'summarise',
        name: 'Summarise',
        kind: 'PROMPT',
        ai: prompt('Summarise: {{text}}'),
        promptVersions: [{ number: HIGHEST, config: prompt('Highest: {{text}}') }],
      },
    ],
  });
  const api = await db.api.findFirstOrThrow({ where: { orgId: org.org.id, slug: 'summarise' } });
  return { org, api };
}

describe('prompt version numbers at the highest number a document may bring', () => {
  it('publishes no version past the numbers a release and a document accept', async () => {
    const { org, api } = await orgAtHighestNumber('pv-bounds-publish');
    // Refusing with a clear error is fine; what must not happen is a version outside the range.
    await publishPromptVersion(org, { apiId: api.id, note: 'after the highest' }).catch(() => null);
    const numbers = (
      await db.promptVersion.findMany({ where: { apiId: api.id }, select: { number: true } })
    ).map((v) => v.number);
    expect(numbers.every((n) => n >= 1 && n <= HIGHEST)).toBe(true);
  });

  it('keeps every published version releasable', async () => {
    const { org, api } = await orgAtHighestNumber('pv-bounds-release');
    const published = await publishPromptVersion(org, { apiId: api.id }).catch(() => null);
    if (published) {
      await expect(
        setPromptRelease(org, { apiId: api.id, release: { versionA: published.number } }),
      ).resolves.toMatchObject({ release: { versionA: published.number } });
    }
  });

  it('pages through every version with the cursor it hands out', async () => {
    const { org, api } = await orgAtHighestNumber('pv-bounds-cursor');
    await publishPromptVersion(org, { apiId: api.id }).catch(() => null);
    const highest = await db.promptVersion.findFirstOrThrow({ where: { apiId: api.id, number: HIGHEST } });
    await db.promptVersion.create({
      data: { apiId: api.id, orgId: org.org.id, number: HIGHEST - 1, config: highest.config ?? {}, note: '' },
    });
    const first = await listPromptVersions(org, { apiId: api.id, limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    const next = await listPromptVersions(org, {
      apiId: api.id,
      limit: 1,
      cursor: first.nextCursor ?? undefined,
    });
    expect(next.items.map((v) => v.number)).toEqual([HIGHEST - 1]);
  });

  it('exports a document that applies back unchanged', async () => {
    const { org, api } = await orgAtHighestNumber('pv-bounds-export');
    await publishPromptVersion(org, { apiId: api.id }).catch(() => null);
    const exported = await exportConfig(org);
    await expect(planConfig(org, exported)).resolves.toMatchObject({ changes: [] });
  });
});
