import { uniq } from '../../../../../../test/fixtures';
import { type MatrixEntry, prov, provApi, range, role } from './matrix-kit';

/**
 * The AI gateway's procedures (provider side): reads for any member ('api.read'), credentials, prices and
 * AI/prompt documents for ADMIN+ ('policy.write'), plans' AI limits for ADMIN+ ('plan.write'), the AI
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
    input: (w) => ({
      ...provApi(w),
      config: {
        model: 'fast',
        routes: [
          { name: 'fast', targets: [{ credentialId: w.provider.credentialId, model: 'gpt-4o-mini' }] },
        ],
        user: 'Summarise: {{text}}',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      },
    }),
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
