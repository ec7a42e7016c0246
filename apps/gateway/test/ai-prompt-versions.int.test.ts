import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { bearer, call, eventually, notify } from './harness.ts';

/*
 * Prompt API versions on the wire: the released version (or a weighted split of two) serves each call,
 * the answer's header and the call log say which, and a new release takes effect once gateways hear of
 * the change. Without a release the working copy serves.
 */

const KEY = 'sk-prompt-versions';
const HEADER = 'x-portcullis-prompt-version';

describe('prompt API versions', () => {
  let world: AiWorld;
  let fake: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(true);
    fake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
    fake.configure({ reply: 'ok' });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
  });

  const doc = (credentialId: string, user: string) => ({
    model: 'writer',
    routes: [{ name: 'writer', targets: [{ credentialId, model: 'gpt-4o-mini' }] }],
    user,
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  });

  /** A prompt API whose working copy says "draft", with published versions saying "v1", "v2". */
  async function seedVersioned() {
    const seeded = await seedAiApi(world, {
      kind: 'PROMPT',
      credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: KEY }],
      ai: ([id]) => doc(id as string, 'draft {{text}}'),
    });
    const credentialId = seeded.credentialIds[0] as string;
    for (const number of [1, 2]) {
      await world.db.promptVersion.create({
        data: {
          apiId: seeded.api.id,
          orgId: seeded.org.id,
          number,
          config: doc(credentialId, `v${number} {{text}}`),
        },
      });
    }
    return seeded;
  }

  const release = async (apiId: string, value: object | null) => {
    await world.db.api.update({
      where: { id: apiId },
      data: { promptRelease: value === null ? undefined : value },
    });
    await notify(world.db, { kind: 'api', id: apiId });
  };

  const run = (seeded: Awaited<ReturnType<typeof seedVersioned>>, text: string) =>
    call(seeded.base, '/v1/run', {
      method: 'POST',
      headers: { ...bearer(seeded.consumer.plaintext), 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });

  const userPrompt = () =>
    (fake.lastRequest().body as { messages: { role: string; content: string }[] }).messages.at(-1)?.content;

  it('serves the working copy while nothing is released', async () => {
    const seeded = await seedVersioned();
    const res = await run(seeded, 'hello');
    expect(res.status).toBe(200);
    expect(res.headers[HEADER]).toBeUndefined();
    expect(userPrompt()).toBe('draft hello');
    await world.usageSettled();
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id } });
    expect(row.promptVersion).toBeNull();
  });

  it('splits calls 80/20 by weight and records the version on each', async () => {
    const seeded = await seedVersioned();
    await release(seeded.api.id, { versionA: 1, versionB: 2, weightB: 20 });
    const calls = 200;
    const seen: Record<string, number> = {};
    for (let i = 0; i < calls; i++) {
      const res = await run(seeded, `n${i}`);
      expect(res.status).toBe(200);
      const version = String(res.headers[HEADER]);
      seen[version] = (seen[version] ?? 0) + 1;
      // The header names the version whose template was rendered.
      expect(userPrompt()).toBe(`v${version} n${i}`);
    }
    // Binomial(200, 0.2): mean 40, sd 5.7; 15..65 is beyond 4 sd either side.
    expect(seen['1']! + seen['2']!).toBe(calls);
    expect(seen['2']).toBeGreaterThanOrEqual(15);
    expect(seen['2']).toBeLessThanOrEqual(65);

    await world.usageSettled();
    const logged = await world.db.aiCallLog.groupBy({
      by: ['promptVersion'],
      where: { apiId: seeded.api.id },
      _count: true,
    });
    const byVersion = Object.fromEntries(logged.map((g) => [String(g.promptVersion), g._count]));
    expect(byVersion).toEqual({ '1': seen['1'], '2': seen['2'] });
  });

  it('rolls back once the change is heard, and back to the working copy without a release', async () => {
    const seeded = await seedVersioned();
    await release(seeded.api.id, { versionA: 2 });
    await eventually(async () => (await run(seeded, 'x')).headers[HEADER] === '2', 5_000);
    expect(userPrompt()).toBe('v2 x');

    await release(seeded.api.id, { versionA: 1 });
    await eventually(async () => (await run(seeded, 'y')).headers[HEADER] === '1', 5_000);
    for (let i = 0; i < 5; i++) expect((await run(seeded, 'z')).headers[HEADER]).toBe('1');
    expect(userPrompt()).toBe('v1 z');

    await world.db.$executeRaw`UPDATE "Api" SET "promptRelease" = NULL WHERE id = ${seeded.api.id}`;
    await notify(world.db, { kind: 'api', id: seeded.api.id });
    await eventually(async () => (await run(seeded, 'w')).headers[HEADER] === undefined, 5_000);
    expect(userPrompt()).toBe('draft w');
  });

  it('answers a clear problem when the release names a version the API does not have', async () => {
    const seeded = await seedVersioned();
    await release(seeded.api.id, { versionA: 7 });
    await eventually(async () => (await run(seeded, 'x')).status !== 200, 5_000);
    const res = await run(seeded, 'x');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'ai_config_invalid' });
    expect(String(res.json().detail)).toContain('version 7');
  });
});
