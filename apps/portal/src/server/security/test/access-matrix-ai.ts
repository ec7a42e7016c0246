import type { Db } from '@portcullis/db';
import { uniq } from '../../../../../../test/fixtures';
import { type MatrixEntry, prov, provApi, range, role } from './matrix-kit';
import type { TenantWorld } from './world';

const promptDocument = (w: TenantWorld) => ({
  model: 'fast',
  routes: [{ name: 'fast', targets: [{ credentialId: w.provider.credentialId, model: 'gpt-4o-mini' }] }],
  user: 'Summarise: {{text}}',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
});

/** The world's API as a prompt API with a working copy and one published version. */
async function asPromptApi(db: Db, w: TenantWorld): Promise<void> {
  const config = promptDocument(w);
  await db.api.update({ where: { id: w.provider.apiId }, data: { kind: 'PROMPT', ai: config } });
  await db.promptVersion.create({
    data: { apiId: w.provider.apiId, orgId: w.provider.id, number: 1, config },
  });
}

/**
 * The AI gateway's procedures (provider side): reads for any member ('api.read'), credentials, prices and
 * AI/prompt documents and prompt versions/releases for ADMIN+ ('policy.write'), plans' AI limits for ADMIN+ ('plan.write'), the AI
 * call log for any member ('analytics.read').
 */
export const AI_ACCESS_MATRIX: Record<string, MatrixEntry> = {
  'ai.providers': { access: role('provider', 'VIEWER'), input: prov },
  'ai.credentials': { access: role('provider', 'VIEWER'), input: prov },
  'ai.createCredential': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), name: uniq('cred'), provider: 'openai', secret: 'sk-test-0000000000' }),
  },
  'ai.updateCredential': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), credentialId: w.provider.credentialId, name: 'OpenAI main' }),
  },
  'ai.deleteCredential': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), credentialId: w.provider.credentialId }),
  },
  'ai.prices': { access: role('provider', 'VIEWER'), input: prov },
  'ai.setPrice': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({
      ...prov(w),
      priceId: w.provider.aiPriceId,
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputPerMillion: '0.2',
      outputPerMillion: '0.8',
    }),
  },
  'ai.deletePrice': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), priceId: w.provider.aiPriceId }),
  },
  'ai.apiKind': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), apiSlug: w.provider.apiSlug }),
  },
  'ai.apiConfig': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), apiSlug: w.provider.apiSlug }),
  },
  'ai.setAiConfig': { access: role('provider', 'ADMIN'), input: (w) => ({ ...provApi(w), config: {} }) },
  'ai.setPromptConfig': {
    access: role('provider', 'ADMIN'),
    // A valid document: validation runs before the API lookup, and the lookup is what is under test.
    input: (w) => ({ ...provApi(w), config: promptDocument(w) }),
  },
  'ai.promptVersions': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...provApi(w), limit: 20 }),
    prepare: asPromptApi,
  },
  'ai.publishPromptVersion': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), note: 'matrix' }),
    prepare: asPromptApi,
  },
  'ai.setPromptRelease': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), release: { versionA: 1 } }),
    prepare: asPromptApi,
  },
  'ai.planLimits': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), planId: w.provider.planId }),
  },
  'ai.setPlanLimits': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), planId: w.provider.planId, limits: [] }),
  },
  'ai.calls': { access: role('provider', 'VIEWER'), input: (w) => ({ ...provApi(w), ...range() }) },
  'ai.callDetail': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), id: w.provider.aiCallId }),
  },
  'ai.callModels': { access: role('provider', 'VIEWER'), input: prov },
  'ai.usageSummary': { access: role('provider', 'VIEWER'), input: (w) => ({ ...provApi(w), ...range() }) },
};
