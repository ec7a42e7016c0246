import { z } from 'zod';
import { guardrailPatternIssues, ZGuardrails } from './ai-guardrails.ts';
import { Decimal, divideRoundHalfUp, pow10 } from './billing/decimal.ts';
import { ZDecimalString } from './billing/pricing.ts';
import { schemaPatternIssues, tenantPatternProblem } from './tenant-regex.ts';

/**
 * The AI documents stored as JSON: `Api.ai` (model routes and logging for an AI API, the prompt for a
 * PROMPT API) and `Plan.aiLimits` (token limits and USD budgets). The portal validates with these before
 * saving; the gateway parses with them when it loads config. Every field has a default where one makes
 * sense, so `{}` is a valid AI API document (no routes yet: every model answers 404).
 */

const ZSlugish = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9._:/@-]+$/, 'letters, digits and . _ : / @ - only');

/** One provider model a route can send to, through one stored ProviderCredential. */
const ZRouteTarget = z.object({
  /** ProviderCredential.id of the owning tenant (its provider decides the adapter) */
  credentialId: z.string().min(1).max(64),
  /** the provider's model name (Azure: the deployment name) */
  model: ZSlugish,
  /** share of traffic among this route's targets (weighted random); 0 = fallback only */
  weight: z.number().int().min(0).max(1000).default(1),
  /** usage-based routing: the provider's tokens per minute for this model on this credential */
  tpm: z
    .number()
    .int('tokens per minute is a whole number')
    .min(1, 'tokens per minute is at least 1 (leave it empty for no limit)')
    .max(1_000_000_000)
    .optional(),
  /** usage-based routing: the provider's requests per minute for this model on this credential */
  rpm: z
    .number()
    .int('requests per minute is a whole number')
    .min(1, 'requests per minute is at least 1 (leave it empty for no limit)')
    .max(10_000_000)
    .optional(),
});
export type RouteTarget = z.infer<typeof ZRouteTarget>;

/**
 * How a route picks its first target (the rest follow in the same order as fallbacks):
 * - weighted: random by weight (the default, and what documents stored before strategies mean);
 * - least-latency: the lowest recent latency of successful calls; targets without a recent one first;
 * - least-busy: the fewest calls in flight;
 * - usage-based: the least used target still under its `tpm`/`rpm` this minute; none → 429.
 * Weight-0 targets are fallback only under every strategy.
 */
export const ROUTING_STRATEGIES = ['weighted', 'least-latency', 'least-busy', 'usage-based'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

/**
 * A model name callers use (`gpt-4o-mini`, or an alias such as `fast`) and where it goes. Targets are
 * ordered by the route's strategy; on 429, 5xx, connect errors and timeouts the call falls back to the
 * next target with a short backoff, up to `maxAttempts` calls in all. A target failing that way
 * `cooldownFailures` times within `cooldownWindowSeconds` is skipped for `cooldownSeconds` (at least the
 * provider's retry-after), unless every target is cooling down.
 */
const ZModelRoute = z
  .object({
    name: ZSlugish,
    targets: z.array(ZRouteTarget).min(1, 'add at least one target').max(10),
    /** per-attempt timeout to the first byte of the provider's answer */
    timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    maxAttempts: z.number().int().min(1).max(5).default(3),
    /** exact-match response cache for non-streamed chat completions; 0 = off */
    cacheTtlSeconds: z.number().int().min(0).max(86_400).default(0),
    strategy: z.enum(ROUTING_STRATEGIES).default('weighted'),
    /** retryable failures within the window that put a target in cooldown; 0 = never cool down */
    cooldownFailures: z
      .number()
      .int()
      .min(0, 'failures before a cooldown is 0 (off) or more')
      .max(100, 'failures before a cooldown is at most 100')
      .default(3),
    cooldownWindowSeconds: z
      .number()
      .int()
      .min(1, 'the failure window is at least 1 second')
      .max(3_600, 'the failure window is at most 3600 seconds')
      .default(60),
    cooldownSeconds: z
      .number()
      .int()
      .min(1, 'a cooldown lasts at least 1 second')
      .max(3_600, 'a cooldown lasts at most 3600 seconds')
      .default(30),
    /** replaces the API's guardrails for this route when set */
    guardrails: ZGuardrails.optional(),
  })
  .superRefine((route, ctx) => {
    if (route.strategy === 'usage-based' && !route.targets.some((t) => t.tpm || t.rpm)) {
      ctx.addIssue({
        code: 'custom',
        path: ['strategy'],
        message: 'usage-based routing needs tokens or requests per minute on at least one target',
      });
    }
  });
export type ModelRoute = z.infer<typeof ZModelRoute>;

/**
 * Regular expressions replaced by `[REDACTED]` in logged bodies (validated as compilable). That they run
 * on RE2 is checked on save only (ZAiGatewayConfigSave, ZPromptConfigSave): a document stored before must
 * still load, and the gateway withholds a body it cannot redact.
 */
const ZRedactPattern = z
  .string()
  .min(1)
  .max(500)
  .refine((source) => {
    try {
      new RegExp(source, 'g');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

const ZAiLogging = z
  .object({
    /** prompt/response bodies stored in AiCallLog only when the tenant opts in */
    logBodies: z.boolean().default(false),
    redact: z.array(ZRedactPattern).max(50).default([]),
  })
  .default({ logBodies: false, redact: [] });
export type AiLogging = z.infer<typeof ZAiLogging>;

/** Api.ai for kind AI */
export const ZAiGatewayConfig = z
  .object({
    routes: z.array(ZModelRoute).max(200).default([]),
    logging: ZAiLogging,
    guardrails: ZGuardrails.default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.routes.forEach((route, i) => {
      if (seen.has(route.name)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'name'], message: 'route names must be unique' });
      }
      seen.add(route.name);
    });
  });
export type AiGatewayConfig = z.infer<typeof ZAiGatewayConfig>;

/** A JSON Schema document (object); compiled by the gateway's validator when the API is loaded. */
const ZJsonSchema = z.record(z.string(), z.unknown());

/** `{{name}}` placeholders in prompt templates: letters, digits and underscores. */
const TEMPLATE_VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Api.ai for kind PROMPT: POST /{org}/{api}/v1/run with the variables as JSON. */
export const ZPromptConfig = z
  .object({
    /** a model name or alias of `routes` */
    model: ZSlugish,
    /** where the model goes (same shape as an AI API's routes; the prompt's model must be one of them) */
    routes: z.array(ZModelRoute).min(1).max(20),
    system: z.string().max(100_000).default(''),
    user: z.string().min(1, 'the user template is required').max(100_000),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
    /** JSON Schema of the request body (the variables) */
    inputSchema: ZJsonSchema,
    /** optional JSON Schema the model's answer must satisfy (structured output where supported) */
    outputSchema: ZJsonSchema.optional(),
    logging: ZAiLogging,
    guardrails: ZGuardrails.default([]),
  })
  .superRefine((prompt, ctx) => {
    if (!prompt.routes.some((r) => r.name === prompt.model)) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'the model must be one of the routes' });
    }
    const properties = (prompt.inputSchema as { properties?: Record<string, unknown> }).properties ?? {};
    for (const template of [prompt.system, prompt.user]) {
      for (const [, name] of template.matchAll(TEMPLATE_VARIABLE)) {
        if (name && !(name in properties)) {
          ctx.addIssue({
            code: 'custom',
            path: ['inputSchema'],
            message: `the template uses {{${name}}}, which the input schema does not declare`,
          });
        }
      }
    }
  });
export type PromptConfig = z.infer<typeof ZPromptConfig>;

type RefineCtx = z.RefinementCtx;

function checkRedactPatterns(logging: AiLogging, ctx: RefineCtx): void {
  logging.redact.forEach((source, i) => {
    const problem = tenantPatternProblem(source, 'legacy');
    if (problem)
      ctx.addIssue({ code: 'custom', path: ['logging', 'redact', i], message: `This pattern ${problem}` });
  });
}

function checkSchemaPatterns(schema: unknown, field: 'inputSchema' | 'outputSchema', ctx: RefineCtx): void {
  for (const issue of schemaPatternIssues(schema, [field])) {
    ctx.addIssue({
      code: 'custom',
      path: issue.path,
      message: `The pattern "${issue.pattern}" ${issue.reason}`,
    });
  }
}

/**
 * What the portal saves: the documents above, and every pattern in them (redaction patterns, the prompt's
 * JSON schemas) runs on the gateway's linear-time engine (no backreferences, no lookaround).
 */
function checkGuardrailPatterns(
  rules: Parameters<typeof guardrailPatternIssues>[0],
  base: (string | number)[],
  ctx: RefineCtx,
): void {
  for (const issue of guardrailPatternIssues(rules)) {
    ctx.addIssue({ code: 'custom', path: [...base, ...issue.path], message: issue.message });
  }
}

export const ZAiGatewayConfigSave = ZAiGatewayConfig.superRefine((config, ctx) => {
  checkRedactPatterns(config.logging, ctx);
  checkGuardrailPatterns(config.guardrails, ['guardrails'], ctx);
  config.routes.forEach((route, i) => {
    if (route.guardrails) checkGuardrailPatterns(route.guardrails, ['routes', i, 'guardrails'], ctx);
  });
});
export const ZPromptConfigSave = ZPromptConfig.superRefine((prompt, ctx) => {
  checkRedactPatterns(prompt.logging, ctx);
  checkGuardrailPatterns(prompt.guardrails, ['guardrails'], ctx);
  checkSchemaPatterns(prompt.inputSchema, 'inputSchema', ctx);
  if (prompt.outputSchema) checkSchemaPatterns(prompt.outputSchema, 'outputSchema', ctx);
});

/** Fills `{{variables}}`; a non-string value is written as JSON. Unknown names are left as they are. */
export function renderTemplate(template: string, variables: Record<string, unknown>): string {
  return template.replace(TEMPLATE_VARIABLE, (whole, name: string) => {
    if (!(name in variables)) return whole;
    const value = variables[name];
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** What a token limit or budget counts, per which caller, over which window. */
const ZAiLimit = z.object({
  metric: z.enum(['tokens', 'usd']),
  window: z.enum(['minute', 'day', 'month']),
  /** key: each API key; app: each consumer app; org: the whole consumer organisation */
  scope: z.enum(['key', 'app', 'org']),
  /** tokens (integer) or USD (exact decimal string) */
  limit: ZDecimalString,
});
export type AiLimit = z.infer<typeof ZAiLimit>;

/** Limits as stored: read leniently (see parseAiLimits), saved through ZAiLimits. */
const ZStoredAiLimits = z
  .array(ZAiLimit)
  .max(20)
  .default([])
  .superRefine((limits, ctx) => {
    limits.forEach((limit, i) => {
      if (limit.metric === 'tokens' && !/^\d+$/.test(limit.limit)) {
        ctx.addIssue({ code: 'custom', path: [i, 'limit'], message: 'a token limit is a whole number' });
      }
    });
  });

/**
 * Limits as saved: two limits of the same metric, window and scope would count against one counter
 * (only the smaller could ever bind), so a plan holds at most one of each.
 */
export const ZAiLimits = ZStoredAiLimits.superRefine((limits, ctx) => {
  const seen = new Set<string>();
  limits.forEach((limit, i) => {
    const id = `${limit.metric}:${limit.window}:${limit.scope}`;
    if (seen.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'scope'],
        message: `another limit already counts ${limit.metric === 'usd' ? 'USD' : 'tokens'} per ${limit.window} per ${limit.scope}: keep one of them`,
      });
    }
    seen.add(id);
  });
});
export type AiLimits = z.infer<typeof ZAiLimits>;

/**
 * Stored limits for enforcement. Limits saved before duplicates were refused still parse (the budgets
 * apply the smallest of a shared counter's limits): refusing them here would leave the plan unlimited.
 */
export function parseAiLimits(json: unknown): AiLimits {
  const parsed = ZStoredAiLimits.safeParse(json ?? []);
  return parsed.success ? parsed.data : [];
}

/**
 * The AES-GCM associated data of a ProviderCredential's secret: the row id, so a ciphertext copied to
 * another row does not decrypt there. The portal encrypts and the gateway decrypts with it.
 */
export const providerCredentialContext = (credentialId: string): string =>
  `provider-credential:${credentialId}`;

/** A modality a model takes or gives (the price table's metadata). */
export const MODALITIES = ['text', 'image', 'audio'] as const;
export type Modality = (typeof MODALITIES)[number];

/**
 * A price-table row: USD per million tokens, exact decimals, plus the optional per-unit prices of the
 * media surfaces (ai-unit-costs.ts) and what /v1/models tells about the model.
 */
export interface ModelPrice {
  inputPerMillion: string;
  outputPerMillion: string;
  /** USD per generated image */
  perImage?: string | null | undefined;
  /** USD per second of input audio */
  perAudioSecond?: string | null | undefined;
  /** USD per request */
  perCall?: string | null | undefined;
  contextWindow?: number | null | undefined;
  /** the most output tokens the model produces in one call, when known */
  maxOutputTokens?: number | undefined;
  inputModalities?: readonly string[] | undefined;
  outputModalities?: readonly string[] | undefined;
}

/**
 * The USD cost of a call in micro-dollars (1e-6 USD), exact: tokens × price-per-million is an exact
 * decimal, and micro-units of it are (tokens × price) / 1e6 × 1e6 = tokens × price at scale 0, rounded
 * half-up once at the end. Unknown model (no price row) → 0.
 */
export function costMicros(tokensIn: number, tokensOut: number, price: ModelPrice | undefined): bigint {
  if (!price) return 0n;
  const input = Decimal.parse(price.inputPerMillion);
  const output = Decimal.parse(price.outputPerMillion);
  // price per million tokens in USD = price per token in micro-USD; so cost in micro-USD = tokens × price.
  const total = input
    .mul(Decimal.fromBigInt(BigInt(tokensIn)))
    .add(output.mul(Decimal.fromBigInt(BigInt(tokensOut))));
  return divideRoundHalfUp(total.coefficient, pow10(total.scale));
}

/** USD decimal string → micro-USD (budgets); throws on a malformed amount. */
export function usdToMicros(usd: string): bigint {
  const value = Decimal.parse(usd);
  return divideRoundHalfUp(value.coefficient * pow10(6), pow10(value.scale));
}
