import { describe, expect, it } from 'vitest';
import { addMember, db, expectTrpcError, member, uniq } from '../../test/harness';
import { fieldsOf } from './test-fields';

type Member = Awaited<ReturnType<typeof member>>;

async function credential(owner: Member, name = 'Main') {
  return owner.caller.ai.createCredential({
    orgSlug: owner.org.slug,
    name,
    provider: 'openai',
    secret: `sk-${uniq('s').replace(/[^a-z0-9]/gi, '')}-longenough`,
  });
}

const createApi = (owner: Member, kind: 'AI' | 'PROMPT' | 'REST', upstreamUrl?: string) =>
  owner.caller.api.create({
    orgSlug: owner.org.slug,
    name: `${kind} api`,
    slug: uniq(kind.toLowerCase()),
    kind,
    ...(upstreamUrl ? { upstreamUrl } : {}),
    visibility: 'PUBLIC',
    description: 'Summaries on demand',
  });

describe('ai router: API kinds and AI gateway config', () => {
  it('creates AI and PROMPT APIs without an upstream, REST ones still need one', async () => {
    const owner = await member('OWNER', 'aicfg');
    const ai = await createApi(owner, 'AI');
    expect(ai).toMatchObject({ kind: 'AI', upstreamUrl: '' });
    const rest = await expectTrpcError(createApi(owner, 'REST'), 'BAD_REQUEST');
    expect(fieldsOf(rest)).toEqual({ upstreamUrl: 'Enter an http:// or https:// URL' });
    // An upstream sent along with an AI API is ignored, not checked.
    const prompt = await createApi(owner, 'PROMPT', 'http://169.254.169.254/');
    expect(prompt).toMatchObject({ kind: 'PROMPT', upstreamUrl: '' });
    expect(await owner.caller.ai.apiKind({ orgSlug: owner.org.slug, apiSlug: prompt.slug })).toEqual({
      id: prompt.id,
      kind: 'PROMPT',
    });
  });

  it('saves model routes that use the org’s credentials and refuses another tenant’s', async () => {
    const owner = await member('OWNER', 'aicfg');
    const mine = await credential(owner);
    const api = await createApi(owner, 'AI');
    const other = await member('OWNER', 'other');
    const theirs = await credential(other, 'Theirs');

    const route = (credentialId: string) => ({
      name: 'smart',
      targets: [
        { credentialId: mine.id, model: 'gpt-4o', weight: 3 },
        { credentialId, model: 'gpt-4o-mini', weight: 1 },
      ],
      timeoutMs: 30_000,
    });
    const refused = await expectTrpcError(
      owner.caller.ai.setAiConfig({
        orgSlug: owner.org.slug,
        apiId: api.id,
        config: { routes: [route(theirs.id)] },
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(refused)).toEqual({ 'routes.0.targets.1.credentialId': expect.any(String) });
    expect((await db.api.findUniqueOrThrow({ where: { id: api.id } })).ai).toEqual({});
    // a moderation guardrail may not call through another tenant's credential either
    const moderation = { type: 'moderation' as const, name: 'safety', credentialId: theirs.id };
    const refusedRule = await expectTrpcError(
      owner.caller.ai.setAiConfig({
        orgSlug: owner.org.slug,
        apiId: api.id,
        config: {
          routes: [{ ...route(mine.id), guardrails: [moderation] }],
          guardrails: [moderation],
        },
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(refusedRule)).toEqual({
      'guardrails.0.credentialId': expect.any(String),
      'routes.0.guardrails.0.credentialId': expect.any(String),
    });

    const saved = await owner.caller.ai.setAiConfig({
      orgSlug: owner.org.slug,
      apiId: api.id,
      config: { routes: [route(mine.id)], logging: { logBodies: true, redact: ['sk-[A-Za-z0-9]+'] } },
    });
    expect(saved.config.routes[0]).toMatchObject({
      name: 'smart',
      timeoutMs: 30_000,
      maxAttempts: 3,
      cacheTtlSeconds: 0,
    });
    const view = await owner.caller.ai.apiConfig({ orgSlug: owner.org.slug, apiSlug: api.slug });
    expect(view).toMatchObject({ kind: 'AI', canWrite: true, credentials: [{ id: mine.id, name: 'Main' }] });
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(await db.auditLog.count({ where: { targetId: api.id, action: 'api.updateAiConfig' } })).toBe(1);

    // Schema errors come back per field path; a bad regex and duplicate names too.
    const invalid = await expectTrpcError(
      owner.caller.ai.setAiConfig({
        orgSlug: owner.org.slug,
        apiId: api.id,
        config: {
          routes: [route(mine.id), { ...route(mine.id), timeoutMs: 5 }],
          logging: { logBodies: true, redact: ['(unclosed'] },
        },
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(invalid)).toMatchObject({
      'routes.1.timeoutMs': expect.any(String),
      'logging.redact.0': 'not a valid regular expression',
    });

    // The AI document is refused on a prompt API, and VIEWERs cannot write.
    const prompt = await createApi(owner, 'PROMPT');
    await expectTrpcError(
      owner.caller.ai.setAiConfig({ orgSlug: owner.org.slug, apiId: prompt.id, config: { routes: [] } }),
      'BAD_REQUEST',
    );
    const viewer = await addMember(owner.org.id, 'VIEWER');
    expect((await viewer.caller.ai.apiConfig({ orgSlug: owner.org.slug, apiSlug: api.slug })).canWrite).toBe(
      false,
    );
    await expectTrpcError(
      viewer.caller.ai.setAiConfig({ orgSlug: owner.org.slug, apiId: api.id, config: { routes: [] } }),
      'FORBIDDEN',
    );
    // Another tenant cannot write this API's config through its own org.
    await expectTrpcError(
      other.caller.ai.setAiConfig({ orgSlug: other.org.slug, apiId: api.id, config: { routes: [] } }),
      'NOT_FOUND',
    );
  });
});

describe('ai router: prompt APIs', () => {
  it('saves the prompt and generates an OpenAPI 3.1 document for POST /v1/run', async () => {
    const owner = await member('OWNER', 'aiprompt');
    const cred = await credential(owner);
    const api = await createApi(owner, 'PROMPT');
    const inputSchema = {
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string' }, tone: { type: 'string' } },
    };
    const outputSchema = {
      type: 'object',
      properties: { summary: { type: 'string' } },
      required: ['summary'],
    };
    const config = {
      model: 'fast',
      routes: [{ name: 'fast', targets: [{ credentialId: cred.id, model: 'gpt-4o-mini' }] }],
      system: 'You summarise in a {{tone}} tone.',
      user: 'Summarise: {{text}}',
      temperature: 0.2,
      maxTokens: 300,
      inputSchema,
      outputSchema,
    };
    const saved = await owner.caller.ai.setPromptConfig({ orgSlug: owner.org.slug, apiId: api.id, config });
    const stored = await db.api.findUniqueOrThrow({ where: { id: api.id } });
    expect(stored.openapiSpec).toEqual(saved.openapiSpec);
    const spec = stored.openapiSpec as {
      openapi: string;
      info: { title: string };
      paths: Record<string, { post: { requestBody: unknown; responses: Record<string, unknown> } }>;
    };
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.info.title).toBe('PROMPT api');
    expect(Object.keys(spec.paths)).toEqual(['/v1/run']);
    expect(spec.paths['/v1/run']?.post.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: inputSchema } },
    });
    expect(spec.paths['/v1/run']?.post.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { properties: { output: outputSchema } } } },
    });
    expect(Object.keys(spec.paths['/v1/run']?.post.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '429']),
    );
    expect(stored.ai).toMatchObject({ model: 'fast', user: 'Summarise: {{text}}' });
    expect(await db.auditLog.count({ where: { targetId: api.id, action: 'api.updatePrompt' } })).toBe(1);

    // The catalog serves the generated docs; the API detail knows its kind.
    await owner.caller.api.publish({ orgSlug: owner.org.slug, apiId: api.id });
    const catalog = await owner.caller.catalog.get({ orgSlug: owner.org.slug, apiSlug: api.slug });
    expect(catalog.openapiSpec).toEqual(stored.openapiSpec);

    // A template variable the input schema does not declare, and an unknown model, are field errors.
    const bad = await expectTrpcError(
      owner.caller.ai.setPromptConfig({
        orgSlug: owner.org.slug,
        apiId: api.id,
        config: { ...config, model: 'slow', user: 'Hi {{name}}' },
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(bad)).toMatchObject({
      model: 'the model must be one of the routes',
      inputSchema: expect.stringContaining('{{name}}'),
    });
  });
});

describe('ai router: plan AI limits', () => {
  it('validates and stores limits; only plan writers change them', async () => {
    const owner = await member('OWNER', 'ailim');
    const api = await createApi(owner, 'AI');
    const plan = await owner.caller.plan.create({ orgSlug: owner.org.slug, apiId: api.id, name: 'Tokens' });
    expect(await owner.caller.ai.planLimits({ orgSlug: owner.org.slug, planId: plan.id })).toMatchObject({
      apiKind: 'AI',
      limits: [],
      canWrite: true,
    });
    const bad = await expectTrpcError(
      owner.caller.ai.setPlanLimits({
        orgSlug: owner.org.slug,
        planId: plan.id,
        limits: [
          { metric: 'tokens', window: 'minute', scope: 'key', limit: '1.5' },
          { metric: 'usd', window: 'hour', scope: 'org', limit: 'ten' },
        ],
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(bad)).toMatchObject({
      '1.window': expect.any(String),
      '1.limit': expect.any(String),
    });
    const limits = [
      { metric: 'tokens', window: 'minute', scope: 'key', limit: '20000' },
      { metric: 'usd', window: 'month', scope: 'org', limit: '25.50' },
    ];
    const saved = await owner.caller.ai.setPlanLimits({ orgSlug: owner.org.slug, planId: plan.id, limits });
    expect(saved.limits).toEqual(limits);
    expect((await db.plan.findUniqueOrThrow({ where: { id: plan.id } })).aiLimits).toEqual(limits);
    expect(await db.auditLog.count({ where: { targetId: plan.id, action: 'plan.updateAiLimits' } })).toBe(1);

    const developer = await addMember(owner.org.id, 'DEVELOPER');
    await expectTrpcError(
      developer.caller.ai.setPlanLimits({ orgSlug: owner.org.slug, planId: plan.id, limits: [] }),
      'FORBIDDEN',
    );
    const stranger = await member('OWNER', 'stranger');
    await expectTrpcError(
      stranger.caller.ai.planLimits({ orgSlug: stranger.org.slug, planId: plan.id }),
      'NOT_FOUND',
    );
  });
});
