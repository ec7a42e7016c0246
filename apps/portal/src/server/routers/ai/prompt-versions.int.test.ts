import { randomUUID } from 'node:crypto';
import { prismaSqlRunner } from '@portcullis/db';
import { writeAiCallLogs } from '@portcullis/usage/ai-call-log';
import { describe, expect, it } from 'vitest';
import { addMember, db, expectTrpcError, member, uniq } from '../../test/harness';
import { fieldsOf } from './test-fields';

type Member = Awaited<ReturnType<typeof member>>;

/** A prompt API with a saved working copy, through the procedures the prompt page uses. */
async function promptApi(owner: Member) {
  const orgSlug = owner.org.slug;
  const credential = await owner.caller.ai.createCredential({
    orgSlug,
    name: 'Main',
    provider: 'openai',
    secret: `sk-${uniq('s').replace(/[^a-z0-9]/gi, '')}-longenough`,
  });
  const api = await owner.caller.api.create({
    orgSlug,
    name: 'Summaries',
    slug: uniq('prompt'),
    kind: 'PROMPT',
    visibility: 'PUBLIC',
    description: '',
  });
  const save = (user: string) =>
    owner.caller.ai.setPromptConfig({
      orgSlug,
      apiId: api.id,
      config: {
        model: 'fast',
        routes: [{ name: 'fast', targets: [{ credentialId: credential.id, model: 'gpt-4o-mini' }] }],
        user,
        inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      },
    });
  await save('Summarise: {{text}}');
  return { api, save, orgSlug };
}

describe('ai router: prompt versions', () => {
  it('publishes, lists with live shares, splits and rolls back', async () => {
    const owner = await member('OWNER', 'pver');
    const { api, save, orgSlug } = await promptApi(owner);
    const ref = { orgSlug, apiId: api.id };
    expect(await owner.caller.ai.publishPromptVersion({ ...ref, note: 'launch' })).toMatchObject({
      number: 1,
      note: 'launch',
    });
    await save('Briefly: {{text}}');
    await owner.caller.ai.publishPromptVersion({ ...ref, note: 'shorter' });

    await owner.caller.ai.setPromptRelease({ ...ref, release: { versionA: 1, versionB: 2, weightB: 10 } });
    let list = await owner.caller.ai.promptVersions(ref);
    expect(list.canWrite).toBe(true);
    expect(list.items.map((v) => [v.number, v.note, v.livePercent, v.createdBy])).toEqual([
      [2, 'shorter', 10, 'pver'],
      [1, 'launch', 90, 'pver'],
    ]);

    await owner.caller.ai.setPromptRelease({ ...ref, release: { versionA: 1 } });
    list = await owner.caller.ai.promptVersions(ref);
    expect(list.items.map((v) => v.livePercent)).toEqual([null, 100]);

    // Saving the working copy does not change what is live.
    await save('Draft: {{text}}');
    expect((await owner.caller.ai.promptVersions(ref)).release).toEqual({ versionA: 1, weightB: 0 });

    // The call log shows which version answered.
    const call = {
      id: randomUUID(),
      at: new Date(),
      orgId: owner.org.id,
      apiId: api.id,
      subscriptionId: null,
      appId: null,
      keyId: null,
      requestId: uniq('req'),
      surface: 'prompt' as const,
      model: 'fast',
      provider: 'openai',
      providerModel: 'gpt-4o-mini',
      status: 200,
      errorCode: null,
      stream: false,
      tokensIn: 1,
      tokensOut: 1,
      tokensEstimated: false,
      costMicros: 0n,
      latencyMs: 5,
      ttftMs: null,
      attempts: 1,
      promptVersion: 2,
      requestBody: null,
      responseBody: null,
    };
    await writeAiCallLogs(prismaSqlRunner(db), [call]);
    const calls = await owner.caller.ai.calls({ orgSlug, apiId: api.id });
    expect(calls.items.map((c) => c.promptVersion)).toEqual([2]);
  });

  it('pages the versions with a cursor and a limit', async () => {
    const owner = await member('OWNER', 'pverpage');
    const { api, orgSlug } = await promptApi(owner);
    const ref = { orgSlug, apiId: api.id };
    for (let i = 0; i < 3; i++) await owner.caller.ai.publishPromptVersion(ref);
    const first = await owner.caller.ai.promptVersions({ ...ref, limit: 2 });
    expect([first.items.map((v) => v.number), first.nextCursor, first.canWrite]).toEqual([[3, 2], 2, true]);
    const second = await owner.caller.ai.promptVersions({ ...ref, limit: 2, cursor: first.nextCursor! });
    expect([second.items.map((v) => v.number), second.nextCursor]).toEqual([[1], null]);
    await expectTrpcError(owner.caller.ai.promptVersions({ ...ref, limit: 500 }), 'BAD_REQUEST');
  });

  it('refuses bad releases with field errors, other tenants and lower roles', async () => {
    const owner = await member('OWNER', 'pver');
    const { api, orgSlug } = await promptApi(owner);
    const ref = { orgSlug, apiId: api.id };
    await owner.caller.ai.publishPromptVersion(ref);

    const missing = await expectTrpcError(
      owner.caller.ai.setPromptRelease({ ...ref, release: { versionA: 1, versionB: 3, weightB: 50 } }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(missing)).toEqual({ 'release.versionB': 'This API has no version 3' });
    const weight = await expectTrpcError(
      owner.caller.ai.setPromptRelease({ ...ref, release: { versionA: 1, versionB: 3, weightB: -1 } }),
      'BAD_REQUEST',
    );
    expect(Object.keys(fieldsOf(weight))).toEqual(['release.weightB']);
    await expectTrpcError(
      owner.caller.ai.setPromptRelease({ ...ref, release: 'v1' as never }),
      'BAD_REQUEST',
    );
    const longNote = 'x'.repeat(501);
    await expectTrpcError(owner.caller.ai.publishPromptVersion({ ...ref, note: longNote }), 'BAD_REQUEST');

    const outsider = await member('OWNER', 'pver-out');
    const foreign = { orgSlug: outsider.org.slug, apiId: api.id };
    await expectTrpcError(outsider.caller.ai.promptVersions(foreign), 'NOT_FOUND');
    await expectTrpcError(outsider.caller.ai.publishPromptVersion(foreign), 'NOT_FOUND');
    await expectTrpcError(
      outsider.caller.ai.setPromptRelease({ ...foreign, release: { versionA: 1 } }),
      'NOT_FOUND',
    );

    const developer = await addMember(owner.org.id, 'DEVELOPER');
    expect((await developer.caller.ai.promptVersions(ref)).canWrite).toBe(false);
    await expectTrpcError(developer.caller.ai.publishPromptVersion(ref), 'FORBIDDEN');
    await expectTrpcError(
      developer.caller.ai.setPromptRelease({ ...ref, release: { versionA: 1 } }),
      'FORBIDDEN',
    );
    expect(await db.promptVersion.count({ where: { apiId: api.id } })).toBe(1);
  });
});
