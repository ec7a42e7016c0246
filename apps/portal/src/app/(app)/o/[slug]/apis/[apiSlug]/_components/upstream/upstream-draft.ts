import {
  type UpstreamConfig,
  type UpstreamTarget,
  ZUpstreamVersionName,
  ZUpstreamVersionTargets,
} from '@portcullis/core/policies';
import { ZUpstreamConfigUpdate } from '@portcullis/core/schemas';
import { z } from 'zod';
import { draftSchema, lines, zNumberText } from '../../../../../../../../components/forms/draft-text';

/** The upstream form's draft (numbers as typed) to and from the API's upstream document. */

export interface UpstreamDraft {
  upstreamUrl: string;
  targets: Array<{ url: string; weight: string }>;
  loadBalancing: UpstreamConfig['loadBalancing'];
  /** a version's targets are typed as `url [weight]` lines */
  versions: Array<{ name: string; targets: string }>;
  timeouts: { connectMs: string; responseMs: string; idleMs: string };
  retries: { attempts: string; budgetPercent: string };
  healthCheck: {
    enabled: boolean;
    path: string;
    intervalMs: string;
    healthyThreshold: string;
    unhealthyThreshold: string;
  };
  circuitBreaker: {
    enabled: boolean;
    consecutiveFailures: string;
    errorRatePercent: string;
    windowSize: string;
    openMs: string;
  };
}

const targetLines = (targets: UpstreamTarget[]) => targets.map((t) => `${t.url} ${t.weight}`).join('\n');

export function toUpstreamDraft(upstreamUrl: string, u: UpstreamConfig): UpstreamDraft {
  return {
    upstreamUrl,
    targets: u.targets.map((t) => ({ url: t.url, weight: String(t.weight) })),
    loadBalancing: u.loadBalancing,
    versions: Object.entries(u.versions).map(([name, targets]) => ({ name, targets: targetLines(targets) })),
    timeouts: {
      connectMs: String(u.timeouts.connectMs),
      responseMs: String(u.timeouts.responseMs),
      idleMs: String(u.timeouts.idleMs),
    },
    retries: { attempts: String(u.retries.attempts), budgetPercent: String(u.retries.budgetPercent) },
    healthCheck: {
      enabled: u.healthCheck.enabled,
      path: u.healthCheck.path,
      intervalMs: String(u.healthCheck.intervalMs),
      healthyThreshold: String(u.healthCheck.healthyThreshold),
      unhealthyThreshold: String(u.healthCheck.unhealthyThreshold),
    },
    circuitBreaker: {
      enabled: u.circuitBreaker.enabled,
      consecutiveFailures: String(u.circuitBreaker.consecutiveFailures),
      errorRatePercent: String(u.circuitBreaker.errorRatePercent),
      windowSize: String(u.circuitBreaker.windowSize),
      openMs: String(u.circuitBreaker.openMs),
    },
  };
}

/** `url [weight]` lines → targets; a weight that is not a number is the field's error. */
const ZTargetLines = z.string().transform((text, ctx) =>
  lines(text).map((line) => {
    const [url = '', weight] = line.split(/\s+/);
    const parsed = weight === undefined ? 100 : Number(weight);
    if (!Number.isFinite(parsed)) ctx.addIssue({ code: 'custom', message: `"${weight}" is not a weight` });
    return { url, weight: parsed };
  }),
);
const ZVersionTargets = draftSchema(ZTargetLines, ZUpstreamVersionTargets);

const ZVersionRows = z
  .array(z.object({ name: z.string().trim().pipe(ZUpstreamVersionName), targets: ZVersionTargets }))
  .superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((row, i) => {
      if (seen.has(row.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'Version names must be unique' });
      }
      seen.add(row.name);
    });
  })
  .transform((rows) => Object.fromEntries(rows.map((row) => [row.name, row.targets])));

const n = zNumberText;

/** Draft → the `policy.updateUpstream` input (without org and API), checked by the server's schema. */
export const ZUpstreamForm = draftSchema(
  z.object({
    upstreamUrl: z.string(),
    targets: z.array(z.object({ url: z.string().trim(), weight: n })),
    loadBalancing: z.enum(['round-robin', 'least-connections']),
    versions: ZVersionRows,
    timeouts: z.object({ connectMs: n, responseMs: n, idleMs: n }),
    retries: z.object({ attempts: n, budgetPercent: n }),
    healthCheck: z.object({
      enabled: z.boolean(),
      path: z.string().trim(),
      intervalMs: n,
      healthyThreshold: n,
      unhealthyThreshold: n,
    }),
    circuitBreaker: z.object({
      enabled: z.boolean(),
      consecutiveFailures: n,
      errorRatePercent: n,
      windowSize: n,
      openMs: n,
    }),
  }),
  ZUpstreamConfigUpdate.omit({ apiId: true }),
);

/**
 * The form field a server message belongs to: the server names a version's target by the version's
 * name (`versions.v2.0.url`), the form by its row (`versions.1.targets`).
 */
export function upstreamErrorField(path: string, draft: UpstreamDraft): string {
  const version = /^versions\.([^.]+)(\.|$)/.exec(path);
  if (!version) return path;
  const row = draft.versions.findIndex((v) => v.name.trim() === version[1]);
  return row === -1 ? 'versions' : `versions.${row}.targets`;
}
