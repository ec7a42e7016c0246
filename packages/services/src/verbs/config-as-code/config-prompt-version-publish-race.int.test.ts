import { randomBytes } from 'node:crypto';
import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import type { OrgCtx } from '../context.ts';
import { applyConfig } from './apply.ts';

/*
 * Applying a document that brings version N while someone publishes N in the portal: the unique
 * (apiId, number) lets only one of them have it. The apply that loses must answer a conflict naming the
 * version, as when the number was taken before it started, never a raw database error (a 500).
 */

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

const prompt = (user: string) => ({
  model: 'fast',
  routes: [{ name: 'fast', targets: [{ credential: 'openai-prod', model: 'gpt-4o-mini' }] }],
  user,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
});

const document = (versions: unknown[]) => ({
  version: 1,
  apis: [
    {
      slug: 'summarise',
      name: 'Summarise',
      kind: 'PROMPT',
      ai: prompt('Summarise: {{text}}'),
      promptVersions: versions,
    },
  ],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until a statement of this database waits on a row lock (the apply's insert behind the publish's). */
async function insertWaiting(): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const rows = await db.$queryRaw<{ waiting: bigint }[]>`
      SELECT count(*) AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%INSERT%PromptVersion%'`;
    if (Number(rows[0]?.waiting ?? 0) > 0) return;
    await sleep(50);
  }
  throw new Error('The apply never reached its insert of version 1');
}

describe('applying a prompt version while the same number is published', () => {
  it('answers a conflict, not a database error, when a publish takes the number first', async () => {
    const org = await orgCtx('pv-race');
    await applyConfig(org, document([]));
    const api = await db.api.findFirstOrThrow({ where: { orgId: org.org.id, slug: 'summarise' } });
    const working = await db.api.findUniqueOrThrow({ where: { id: api.id }, select: { ai: true } });

    let applied: Promise<unknown> | undefined;
    // A publish of version 1 in flight: inserted, not yet committed, while the apply starts.
    await db.$transaction(async (tx) => {
      await tx.promptVersion.create({
        data: { apiId: api.id, orgId: org.org.id, number: 1, config: working.ai ?? {}, note: 'portal' },
      });
      applied = applyConfig(
        org,
        document([{ number: 1, note: 'file', config: prompt('File: {{text}}') }]),
      ).then(
        () => null,
        (error: unknown) => error,
      );
      // The apply saw no version 1 and its insert now waits on the publish's row.
      await insertWaiting();
    });
    const error = await applied;
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'CONFLICT' });
  });
});
