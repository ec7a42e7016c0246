import { randomBytes } from 'node:crypto';
import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedOrg, seedUser } from '../../../../../test/fixtures.ts';
import type { OrgCtx } from '../context.ts';
import { applyConfig } from './apply.ts';

/** A configuration document written by a hostile tenant: it must not reach past what the portal allows. */
const db = getDb();
const HOST = 'cac-hostile.test';
const SPEC = {
  openapi: '3.1.0',
  info: { title: 'S', version: '1' },
  paths: { '/a': { get: { operationId: 'getA', responses: { '200': { description: 'ok' } } } } },
};

async function orgCtx(label: string): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  await allowUpstreamHosts(db, [HOST], [org.id]);
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

async function seedCredential(ctx: OrgCtx, name: string) {
  return db.providerCredential.create({
    data: {
      id: `cred_${randomBytes(8).toString('hex')}`,
      orgId: ctx.org.id,
      name,
      provider: 'openai',
      secretEncrypted: 'not-a-real-secret',
      secretHint: 'abcd',
    },
  });
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe('config as code against a hostile document', () => {
  it("cannot smuggle another org's provider credential id past the name lookup", async () => {
    const attacker = await orgCtx('cac-thief');
    const victim = await orgCtx('cac-victim');
    await seedCredential(attacker, 'mine');
    const theirs = await seedCredential(victim, 'openai-prod');
    const doc = {
      version: 1,
      apis: [
        {
          slug: 'assistant',
          name: 'Assistant',
          kind: 'AI',
          ai: {
            routes: [
              { name: 'r', targets: [{ credential: 'mine', credentialId: theirs.id, model: 'gpt-4o' }] },
            ],
          },
        },
      ],
    };
    const error = await refusal(applyConfig(attacker, doc));
    const stored = await db.api.findFirst({ where: { orgId: attacker.org.id, slug: 'assistant' } });
    expect(JSON.stringify(stored?.ai ?? null)).not.toContain(theirs.id);
    if (error) expect(error).toBeInstanceOf(DomainError);
  });

  it('holds the MCP rules of the portal: a REST API offers only documented operations', async () => {
    const org = await orgCtx('cac-mcp');
    const api = (mcp: unknown) => ({
      version: 1,
      apis: [
        {
          slug: 'rest',
          name: 'Rest',
          kind: 'REST',
          upstreamUrl: `https://${HOST}/`,
          openapi: SPEC,
          mcp,
        },
      ],
    });
    for (const mcp of [
      { enabled: true, allowAllTools: true },
      { enabled: true, tools: ['deleteEverything'] },
    ]) {
      const error = await refusal(applyConfig(org, api(mcp)));
      expect(error, JSON.stringify(mcp)).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('BAD_REQUEST');
    }
    const ok = await applyConfig(org, api({ enabled: true, tools: ['getA'] }));
    expect(ok.applied).toBe(true);
  });

  it('refuses MCP settings on an API kind that cannot be offered over MCP', async () => {
    const org = await orgCtx('cac-mcp-ai');
    await seedCredential(org, 'openai-prod');
    const doc = {
      version: 1,
      apis: [
        {
          slug: 'assistant',
          name: 'Assistant',
          kind: 'AI',
          ai: { routes: [{ name: 'r', targets: [{ credential: 'openai-prod', model: 'gpt-4o' }] }] },
          mcp: { enabled: true, allowAllTools: true },
        },
      ],
    };
    const error = await refusal(applyConfig(org, doc));
    expect(error).toBeInstanceOf(DomainError);
    expect(await db.api.count({ where: { orgId: org.org.id } })).toBe(0);
  });
});
