import type { AiGatewayConfig } from '@portcullis/core/ai-config';
import { describe, expect, it } from 'vitest';
import {
  toAiRoutesDraft,
  ZAiRoutesForm,
} from '../../../app/(app)/o/[slug]/apis/[apiSlug]/_components/ai/ai-draft';
import { parseDraft } from '../../../components/forms/draft-text';
import { db, expectTrpcError, member, uniq } from '../../test/harness';
import { fieldsOf } from './test-fields';

/** The model routes form over ai.apiConfig and ai.setAiConfig, for routes with and without their own rules. */
describe("ai router: a model route's own guardrails through the routes form", () => {
  async function aiApiWithCredential() {
    const owner = await member('OWNER', 'routerules');
    const credential = await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'Main',
      provider: 'openai',
      secret: 'sk-routerules-longenough-secret',
    });
    const api = await owner.caller.api.create({
      orgSlug: owner.org.slug,
      name: 'Chat',
      slug: uniq('chat'),
      kind: 'AI',
      visibility: 'PUBLIC',
      description: 'Chat completions',
    });
    return { owner, credential, api };
  }

  /** Loads the editor's data and saves the form as loaded, untouched. */
  async function saveUntouched(owner: Awaited<ReturnType<typeof member>>, apiSlug: string, apiId: string) {
    const view = await owner.caller.ai.apiConfig({ orgSlug: owner.org.slug, apiSlug });
    const draft = parseDraft(ZAiRoutesForm, toAiRoutesDraft(view.config as AiGatewayConfig));
    if (!draft.ok) throw new Error(JSON.stringify(draft.errors));
    return owner.caller.ai.setAiConfig({ orgSlug: owner.org.slug, apiId, config: draft.input });
  }

  it('saves an untouched form with the same document: no key, an empty list and own rules', async () => {
    const { owner, credential, api } = await aiApiWithCredential();
    const target = { credentialId: credential.id, model: 'gpt-4o-mini' };
    const moderation = {
      type: 'moderation' as const,
      name: 'safety',
      credentialId: credential.id,
      categories: ['violence'],
      timeoutMs: 1500,
    };
    await owner.caller.ai.setAiConfig({
      orgSlug: owner.org.slug,
      apiId: api.id,
      config: {
        routes: [
          { name: 'inherits', targets: [target] },
          { name: 'unguarded', targets: [target], guardrails: [] },
          {
            name: 'own',
            targets: [target],
            guardrails: [
              { type: 'pattern', name: 'tickets', stage: 'output', patterns: ['TICKET-[0-9]+'] },
              moderation,
            ],
          },
        ],
        guardrails: [{ type: 'pii', name: 'pii', detect: ['email'] }],
      },
    });
    const before = (await db.api.findUniqueOrThrow({ where: { id: api.id } })).ai;

    await saveUntouched(owner, api.slug, api.id);

    const after = (await db.api.findUniqueOrThrow({ where: { id: api.id } })).ai;
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    const routes = (after as { routes: { name: string; guardrails?: unknown[] }[] }).routes;
    expect(routes.map((r) => r.guardrails?.length)).toEqual([undefined, 0, 2]);
    expect('guardrails' in (routes[0] ?? {})).toBe(false);
  });

  it("names a route's rule errors by the route's path", async () => {
    const { owner, credential, api } = await aiApiWithCredential();
    const target = { credentialId: credential.id, model: 'gpt-4o-mini' };
    const refused = await expectTrpcError(
      owner.caller.ai.setAiConfig({
        orgSlug: owner.org.slug,
        apiId: api.id,
        config: {
          routes: [
            { name: 'plain', targets: [target] },
            {
              name: 'strict',
              targets: [target],
              guardrails: [{ type: 'pattern', name: 'p', patterns: ['(?<=a)b'] }],
            },
          ],
        },
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(refused)).toEqual({
      'routes.1.guardrails.0.patterns.0': expect.stringContaining('lookaround'),
    });
    expect((await db.api.findUniqueOrThrow({ where: { id: api.id } })).ai).toEqual({});
  });
});
