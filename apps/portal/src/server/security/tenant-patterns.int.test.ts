import { describe, expect, it } from 'vitest';
import { db, member, providerWithPlan, uniq } from '../test/harness';
import { httpMutation } from '../test/http';

/*
 * Every regular expression a tenant saves runs on the gateway's linear-time engine (RE2): what needs a
 * backtracking engine (backreferences, lookaround) is refused when saved, over HTTP as a form sees it,
 * with the field and the reason — and nothing is stored.
 */

const LOOKAROUND = /lookaround.*RE2/;
const BACKREFERENCE = /backreference.*RE2/;

const openapi = (schema: Record<string, unknown>) =>
  JSON.stringify({
    openapi: '3.1.0',
    info: { title: 'codes', version: '1' },
    paths: {
      '/codes': {
        post: { requestBody: { content: { 'application/json': { schema } } } },
      },
    },
  });
const AT = 'paths./codes.post.requestBody.content.application/json.schema';

describe('tenant patterns: OpenAPI documents', () => {
  it('refuses a lookahead or a backreference in a pattern, naming where and why', async () => {
    const p = await providerWithPlan();
    const save = (document: string) =>
      httpMutation(p.user.id, 'policy.setOpenApiSpec', { orgSlug: p.org.slug, apiId: p.api.id, document });

    const lookahead = await save(
      openapi({ type: 'object', properties: { code: { type: 'string', pattern: '^(?=.*\\d)\\w+$' } } }),
    );
    expect(lookahead.status).toBe(400);
    expect(lookahead.message).toContain(`${AT}.properties.code.pattern: "^(?=.*\\d)\\w+$" uses lookaround`);
    expect(lookahead.fields?.document).toMatch(LOOKAROUND);

    const backreference = await save(
      openapi({ type: 'object', patternProperties: { '^(\\w)\\1$': { type: 'string' } } }),
    );
    expect(backreference.status).toBe(400);
    expect(backreference.message).toContain(`${AT}.patternProperties.^(\\w)\\1$`);
    expect(backreference.fields?.document).toMatch(BACKREFERENCE);

    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ openapiSpec: null });
  });

  it('keeps accepting ordinary patterns, and a "pattern" that is example data', async () => {
    const p = await providerWithPlan();
    const document = openapi({
      type: 'object',
      properties: {
        code: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
        pattern: { type: 'string', example: '(?=not-a-schema)' },
      },
      example: { pattern: '(a)\\1' },
    });
    const saved = await httpMutation(p.user.id, 'policy.setOpenApiSpec', {
      orgSlug: p.org.slug,
      apiId: p.api.id,
      document,
    });
    expect(saved).toMatchObject({ status: 200, fields: null });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      openapiSpec: JSON.parse(document),
    });
  });
});

describe('tenant patterns: AI documents', () => {
  async function aiSetup(kind: 'AI' | 'PROMPT') {
    const owner = await member('OWNER', 'patterns');
    const credential = await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'Main',
      provider: 'openai',
      secret: `sk-${uniq('s').replace(/[^a-z0-9]/gi, '')}-longenough`,
    });
    const api = await owner.caller.api.create({
      orgSlug: owner.org.slug,
      name: `${kind} api`,
      slug: uniq(kind.toLowerCase()),
      kind,
      visibility: 'PUBLIC',
      description: 'Patterns',
    });
    const routes = [{ name: 'fast', targets: [{ credentialId: credential.id, model: 'gpt-4o-mini' }] }];
    return { owner, api, routes };
  }

  it('refuses redaction patterns with lookaround or a backreference', async () => {
    const { owner, api, routes } = await aiSetup('AI');
    const saved = await httpMutation(owner.user.id, 'ai.setAiConfig', {
      orgSlug: owner.org.slug,
      apiId: api.id,
      config: {
        routes,
        logging: { logBodies: true, redact: ['sk-\\w+', '(?<=key=)\\w+', '(["\'])\\w+\\1'] },
      },
    });
    expect(saved.status).toBe(400);
    expect(saved.fields).toEqual({
      'logging.redact.1': expect.stringMatching(LOOKAROUND),
      'logging.redact.2': expect.stringMatching(BACKREFERENCE),
    });
    expect((await db.api.findUniqueOrThrow({ where: { id: api.id } })).ai).toEqual({});
  });

  it('refuses a prompt whose input or output schema has a pattern RE2 cannot run', async () => {
    const { owner, api, routes } = await aiSetup('PROMPT');
    const saved = await httpMutation(owner.user.id, 'ai.setPromptConfig', {
      orgSlug: owner.org.slug,
      apiId: api.id,
      config: {
        model: 'fast',
        routes,
        user: 'Summarise {{text}}',
        inputSchema: {
          type: 'object',
          properties: { text: { type: 'string', pattern: '^(?!\\s)[\\s\\S]+$' } },
        },
        outputSchema: { type: 'object', properties: { summary: { type: 'string', pattern: '(\\w)\\1' } } },
      },
    });
    expect(saved.status).toBe(400);
    expect(saved.fields).toEqual({
      'inputSchema.properties.text.pattern': expect.stringMatching(LOOKAROUND),
      'outputSchema.properties.summary.pattern': expect.stringMatching(BACKREFERENCE),
    });
    expect(await db.api.findUniqueOrThrow({ where: { id: api.id } })).toMatchObject({
      ai: {},
      openapiSpec: null,
    });
  });
});
