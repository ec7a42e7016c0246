import {
  type AiGatewayConfig,
  type AiLimit,
  type AiLogging,
  type ModelRoute,
  type PromptConfig,
  ROUTING_STRATEGIES,
  type RoutingStrategy,
  ZAiGatewayConfigSave,
  ZAiLimits,
  ZPromptConfigSave,
} from '@portcullis/core/ai-config';
import { z } from 'zod';
import {
  draftSchema,
  lines,
  numberText,
  zJsonObjectText,
  zNumberText,
  zOptionalJsonObjectText,
  zOptionalNumberText,
} from '../../../../../../../../components/forms/draft-text';
import {
  type GuardrailDraft,
  ROUTE_GUARDRAILS_FIELDS,
  type RouteGuardrailsDraft,
  toGuardrailDrafts,
  toRouteGuardrailsDraft,
  withRouteGuardrails,
  ZGuardrailsDraft,
} from './guardrails-draft';

/** Drafts of the AI forms (model routes, the prompt, plans' AI limits) to and from their documents. */

export interface TargetDraft {
  credentialId: string;
  model: string;
  weight: string;
  /** usage-based routing; '' = no limit */
  tpm: string;
  rpm: string;
}
export interface RouteDraft extends RouteGuardrailsDraft {
  name: string;
  targets: TargetDraft[];
  timeoutMs: string;
  maxAttempts: string;
  cacheTtlSeconds: string;
  strategy: RoutingStrategy;
  cooldownFailures: string;
  cooldownWindowSeconds: string;
  cooldownSeconds: string;
}
export interface LoggingDraft {
  logBodies: boolean;
  /** one pattern per line */
  redact: string;
}

export const newTarget = (credentialId = ''): TargetDraft => ({
  credentialId,
  model: '',
  weight: '1',
  tpm: '',
  rpm: '',
});

export const emptyRoute = (credentialId = ''): RouteDraft => ({
  name: '',
  targets: [newTarget(credentialId)],
  timeoutMs: '60000',
  maxAttempts: '3',
  cacheTtlSeconds: '0',
  strategy: 'weighted',
  cooldownFailures: '3',
  cooldownWindowSeconds: '60',
  cooldownSeconds: '30',
  guardrailsSource: 'api',
  guardrails: [],
});

const toRouteDrafts = (routes: ModelRoute[]): RouteDraft[] =>
  routes.map((r) => ({
    name: r.name,
    targets: r.targets.map((t) => ({
      credentialId: t.credentialId,
      model: t.model,
      weight: String(t.weight),
      tpm: numberText(t.tpm),
      rpm: numberText(t.rpm),
    })),
    timeoutMs: String(r.timeoutMs),
    maxAttempts: String(r.maxAttempts),
    cacheTtlSeconds: String(r.cacheTtlSeconds),
    strategy: r.strategy,
    cooldownFailures: String(r.cooldownFailures),
    cooldownWindowSeconds: String(r.cooldownWindowSeconds),
    cooldownSeconds: String(r.cooldownSeconds),
    ...toRouteGuardrailsDraft(r.guardrails),
  }));

const toLoggingDraft = (l: AiLogging): LoggingDraft => ({
  logBodies: l.logBodies,
  redact: l.redact.join('\n'),
});

const ZRoutesDraft = z.array(
  z
    .object({
      name: z.string().trim(),
      targets: z.array(
        z.object({
          credentialId: z.string(),
          model: z.string().trim(),
          weight: zNumberText,
          tpm: zOptionalNumberText,
          rpm: zOptionalNumberText,
        }),
      ),
      timeoutMs: zNumberText,
      maxAttempts: zNumberText,
      cacheTtlSeconds: zNumberText,
      strategy: z.enum(ROUTING_STRATEGIES),
      cooldownFailures: zNumberText,
      cooldownWindowSeconds: zNumberText,
      cooldownSeconds: zNumberText,
      ...ROUTE_GUARDRAILS_FIELDS,
    })
    .transform(withRouteGuardrails),
);
const ZLoggingDraft = z.object({
  logBodies: z.boolean(),
  redact: z.string().transform((text) => lines(text)),
});

export interface AiRoutesDraft {
  routes: RouteDraft[];
  logging: LoggingDraft;
  guardrails: GuardrailDraft[];
}

export const toAiRoutesDraft = (config: AiGatewayConfig): AiRoutesDraft => ({
  routes: toRouteDrafts(config.routes),
  logging: toLoggingDraft(config.logging),
  guardrails: toGuardrailDrafts(config.guardrails),
});

/** Draft → an AI API's document (`ai.setAiConfig`'s config), checked as the server checks it. */
export const ZAiRoutesForm = draftSchema(
  z.object({ routes: ZRoutesDraft, logging: ZLoggingDraft, guardrails: ZGuardrailsDraft }),
  ZAiGatewayConfigSave,
);

const STARTER_INPUT = { type: 'object', required: ['text'], properties: { text: { type: 'string' } } };
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

export interface PromptDraft extends AiRoutesDraft {
  model: string;
  system: string;
  user: string;
  temperature: string;
  maxTokens: string;
  /** JSON text */
  inputSchema: string;
  /** JSON text; empty = none */
  outputSchema: string;
}

/** A stored prompt, or a starter (one route named `default` on the first credential). */
export function toPromptDraft(prompt: PromptConfig | null, firstCredentialId?: string): PromptDraft {
  return {
    model: prompt?.model ?? 'default',
    routes: prompt ? toRouteDrafts(prompt.routes) : [{ ...emptyRoute(firstCredentialId), name: 'default' }],
    system: prompt?.system ?? '',
    user: prompt?.user ?? '',
    temperature: numberText(prompt?.temperature),
    maxTokens: numberText(prompt?.maxTokens),
    inputSchema: pretty(prompt?.inputSchema ?? STARTER_INPUT),
    outputSchema: prompt?.outputSchema ? pretty(prompt.outputSchema) : '',
    logging: toLoggingDraft(prompt?.logging ?? { logBodies: false, redact: [] }),
    guardrails: toGuardrailDrafts(prompt?.guardrails ?? []),
  };
}

/** Draft → a prompt API's document (`ai.setPromptConfig`'s config), checked as the server checks it. */
export const ZPromptForm = draftSchema(
  z.object({
    model: z.string().trim(),
    routes: ZRoutesDraft,
    system: z.string(),
    user: z.string(),
    temperature: zOptionalNumberText,
    maxTokens: zOptionalNumberText,
    inputSchema: zJsonObjectText,
    outputSchema: zOptionalJsonObjectText,
    logging: ZLoggingDraft,
    guardrails: ZGuardrailsDraft,
  }),
  ZPromptConfigSave,
);

export const NEW_AI_LIMIT: AiLimit = { metric: 'tokens', window: 'minute', scope: 'key', limit: '' };

/** Draft → `ai.setPlanLimits`'s limits (the draft is the document: the limit is typed as text). */
export const ZAiLimitsForm = z.object({ limits: ZAiLimits });

/** The server names a plan's AI limits by index (`0.limit`); the form keeps them under `limits`. */
export const aiLimitsErrorField = (path: string) => (path === '' ? 'limits' : `limits.${path}`);
