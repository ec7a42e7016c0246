import { MAX_DOCUMENT_DEPTH } from '@portcullis/core/json-depth';
import { describe, expect, it } from 'vitest';
import { db, member, uniq } from '../../test/harness';
import { httpMutation, httpMutationText } from '../../test/http';

/** JSON text of `{"a":{"a":…1}}`, `levels` objects deep, written without recursion. */
const nestedJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const TOO_DEEP = `The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`;

async function world() {
  const owner = await member('OWNER', 'deepdoc');
  const orgSlug = owner.org.slug;
  const api = await owner.caller.api.create({
    orgSlug,
    name: 'Deep',
    slug: uniq('deep'),
    upstreamUrl: 'http://127.0.0.1:9/upstream',
    visibility: 'PUBLIC',
    description: '',
  });
  const credential = await owner.caller.ai.createCredential({
    orgSlug,
    name: 'Main',
    provider: 'openai',
    secret: `sk-${uniq('s').replace(/[^a-z0-9]/gi, '')}-longenough`,
  });
  const prompt = await owner.caller.api.create({
    orgSlug,
    name: 'Prompt',
    slug: uniq('prompt'),
    kind: 'PROMPT',
    visibility: 'PUBLIC',
    description: '',
  });
  const aiApi = await owner.caller.api.create({
    orgSlug,
    name: 'AI',
    slug: uniq('ai'),
    kind: 'AI',
    visibility: 'PUBLIC',
    description: '',
  });
  const promptConfig = (inputSchemaExtra: string) =>
    `{"model":"fast","routes":[{"name":"fast","targets":[{"credentialId":"${credential.id}","model":"gpt-4o-mini"}]}],` +
    `"user":"Summarise {{text}}","inputSchema":{"type":"object","properties":{"text":{"type":"string"}},"x":${inputSchemaExtra}}}`;
  return { owner, orgSlug, api, prompt, aiApi, promptConfig };
}

describe('stored JSON documents', () => {
  it('answers 400 "nests deeper than 64 levels" for an OpenAPI document nested 5,000 levels, not 500', async () => {
    const { owner, orgSlug, api } = await world();
    const valid = JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} });
    expect(
      (
        await httpMutation(owner.user.id, 'policy.setOpenApiSpec', {
          orgSlug,
          apiId: api.id,
          document: valid,
        })
      ).status,
    ).toBe(200);
    for (const levels of [5_000, 100_000, MAX_DOCUMENT_DEPTH]) {
      const document = `{"openapi":"3.1.0","paths":{},"x":${nestedJson(levels)}}`;
      const res = await httpMutation(owner.user.id, 'policy.setOpenApiSpec', {
        orgSlug,
        apiId: api.id,
        document,
      });
      expect(res.status, `${levels} levels`).toBe(400);
      expect(res.message).toBe(TOO_DEEP);
      expect(res.fields).toEqual({ document: TOO_DEEP });
    }
    // The document saved before is still the API's.
    const stored = await db.api.findUniqueOrThrow({ where: { id: api.id }, select: { openapiSpec: true } });
    expect(stored.openapiSpec).toEqual(JSON.parse(valid));
  });

  it('answers 400 naming the field for prompt schemas and AI configs nested too deep, storing nothing', async () => {
    const { owner, orgSlug, prompt, aiApi, promptConfig } = await world();
    for (const levels of [5_000, 100_000]) {
      const deep = nestedJson(levels);
      const res = await httpMutationText(
        owner.user.id,
        'ai.setPromptConfig',
        `{"orgSlug":"${orgSlug}","apiId":"${prompt.id}","config":${promptConfig(deep)}}`,
      );
      expect(res.status, `prompt ${levels}`).toBe(400);
      expect(res.fields).toEqual({ inputSchema: TOO_DEEP });

      const ai = await httpMutationText(
        owner.user.id,
        'ai.setAiConfig',
        `{"orgSlug":"${orgSlug}","apiId":"${aiApi.id}","config":{"routes":[],"logging":${deep}}}`,
      );
      expect(ai.status, `ai config ${levels}`).toBe(400);
      expect(ai.fields).toEqual({ logging: TOO_DEEP });
    }
    const stored = await db.api.findMany({
      where: { id: { in: [prompt.id, aiApi.id] } },
      select: { ai: true, openapiSpec: true },
    });
    expect(stored.every((a) => a.openapiSpec === null && JSON.stringify(a.ai ?? {}) === '{}')).toBe(true);
  });

  it('names the nesting limit, not a schema mismatch, for AI limits nested too deep', async () => {
    const { owner, orgSlug, aiApi } = await world();
    const plan = await owner.caller.plan.create({
      orgSlug,
      apiId: aiApi.id,
      name: 'Basic',
      requiresApproval: false,
    });
    const res = await httpMutationText(
      owner.user.id,
      'ai.setPlanLimits',
      `{"orgSlug":"${orgSlug}","planId":"${plan.id}","limits":[${nestedJson(5_000)}]}`,
    );
    expect(res.status).toBe(400);
    expect(res.fields).toEqual({ 0: TOO_DEEP });
  });

  it('stores documents up to the limit, and the prompt API gets its generated OpenAPI document', async () => {
    const { owner, orgSlug, api, prompt, promptConfig } = await world();
    const deepest = nestedJson(MAX_DOCUMENT_DEPTH - 1);
    const document = `{"openapi":"3.1.0","paths":${deepest}}`;
    expect(
      (await httpMutation(owner.user.id, 'policy.setOpenApiSpec', { orgSlug, apiId: api.id, document }))
        .status,
    ).toBe(200);
    // The prompt config wraps its schema three levels deep: config → inputSchema → x.
    const res = await httpMutationText(
      owner.user.id,
      'ai.setPromptConfig',
      `{"orgSlug":"${orgSlug}","apiId":"${prompt.id}","config":${promptConfig(nestedJson(MAX_DOCUMENT_DEPTH - 2))}}`,
    );
    expect(res.status, JSON.stringify(res)).toBe(200);
    const stored = await db.api.findUniqueOrThrow({
      where: { id: prompt.id },
      select: { openapiSpec: true },
    });
    expect(stored.openapiSpec).toMatchObject({ openapi: '3.1.0' });
  });
});
