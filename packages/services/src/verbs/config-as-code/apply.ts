import { badRequest } from '@portcullis/core/errors';
import { documentProblem, MAX_DOCUMENT_DEPTH } from '@portcullis/core/json-depth';
import type { Tx } from '@portcullis/db';
import { z } from 'zod';
import { parseOrBadRequest } from '../ai-shared.ts';
import { lockKey, type OrgCtx } from '../context.ts';
import { atPath, type ConfigChange, type ConfigPermission } from './change.ts';
import { loadConfigState } from './export.ts';
import { buildSteps, type MissingCredentialRef } from './plan.ts';
import { type ConfigDocument, ZConfigDocument } from './schema.ts';

export type { ConfigChange, ConfigPermission } from './change.ts';
export { exportConfig } from './export.ts';

/** The body of `POST /api/v1/config/apply`; the document itself is checked by the verb (field paths). */
export const ZConfigApplyRequest = z.object({
  document: z.unknown(),
  dryRun: z.boolean({ error: 'dryRun is true or false' }).default(false),
  prune: z.boolean({ error: 'prune is true or false' }).default(false),
});

export interface ConfigPlanResult {
  changes: ConfigChange[];
  /** provider credentials the document names that the org does not have (secrets are never in a file) */
  missingCredentials: MissingCredentialRef[];
}

export interface ConfigApplyResult extends ConfigPlanResult {
  /** true when changes were committed (false for a dry run or when there was nothing to do) */
  applied: boolean;
}

export interface ConfigApplyOptions {
  dryRun?: boolean;
  /** archive/retire what the document leaves out (never hard-deletes anything that had consumers) */
  prune?: boolean;
  /**
   * Called with the permissions the changes need before any is made (inside the transaction); throw
   * FORBIDDEN to refuse. The route passes its role check here.
   */
  authorize?: (permissions: ConfigPermission[]) => void | Promise<void>;
}

/** Parses a document (already YAML/JSON-decoded) or throws BAD_REQUEST with each field's dotted path. */
function parseConfigDocument(raw: unknown): ConfigDocument {
  // Bounded before anything walks it recursively (zod, JSON.stringify, Prisma): a deep document would
  // overflow the stack. Each stored document (an OpenAPI one, an AI config) gets its own tighter check
  // from its verb; the few levels above them are the document's own.
  const problem = documentProblem(raw, { maxDepth: MAX_DOCUMENT_DEPTH + 4, maxBytes: MAX_CONFIG_BYTES });
  if (problem) throw badRequest(problem.message, { [problem.field ?? 'document']: problem.message });
  return parseOrBadRequest(ZConfigDocument, raw, 'The configuration document is not valid');
}

/** Every permission the changes need, for the caller's role check. */
export function requiredPermissions(changes: readonly ConfigChange[]): ConfigPermission[] {
  return [...new Set(changes.flatMap((c) => c.permissions))].sort();
}

/** What applying the document would change, without touching anything. */
export async function planConfig(
  ctx: OrgCtx,
  raw: unknown,
  options: { prune?: boolean } = {},
): Promise<ConfigPlanResult> {
  const document = parseConfigDocument(raw);
  const state = await loadConfigState(ctx.db, ctx.org.id);
  const { steps, missing } = buildSteps(state, document, { prune: options.prune ?? false });
  return { changes: steps.map((s) => s.change), missingCredentials: missing };
}

/** Many APIs with their OpenAPI documents (each at most 1 MB) fit; the route may bound its body lower. */
const MAX_CONFIG_BYTES = 50_000_000;

class DryRunRollback extends Error {}

/** A long apply (many APIs, upstream DNS checks) outlives Prisma's 5 s interactive default. */
const TRANSACTION = { timeout: 120_000, maxWait: 10_000 };

/**
 * Applies the document in ONE transaction through the domain verbs (their validation, lifecycle rules
 * and audit rows). A dry run makes every change and rolls back, so it fails exactly where the apply
 * would.
 */
export async function applyConfig(
  ctx: OrgCtx,
  raw: unknown,
  options: ConfigApplyOptions = {},
): Promise<ConfigApplyResult> {
  const document = parseConfigDocument(raw);
  const dryRun = options.dryRun ?? false;
  let result: ConfigApplyResult = { changes: [], missingCredentials: [], applied: false };
  const work = async (tx: Tx) => {
    // Two applies of one org at once would each plan from the state before the other.
    await lockKey(tx, `config-apply:${ctx.org.id}`);
    const state = await loadConfigState(tx, ctx.org.id);
    const { steps, missing } = buildSteps(state, document, { prune: options.prune ?? false });
    const changes = steps.map((s) => s.change);
    await options.authorize?.(requiredPermissions(changes));
    result = { changes, missingCredentials: missing, applied: false };
    if (missing.length > 0) {
      if (dryRun) return;
      const names = [...new Set(missing.map((m) => m.name))].join(', ');
      throw badRequest(
        `Create these provider credentials first: ${names}`,
        Object.fromEntries(missing.map((m) => [m.path, `No provider credential named "${m.name}"`])),
      );
    }
    const txCtx: OrgCtx = { ...ctx, db: tx };
    for (const step of steps) {
      try {
        await step.run(txCtx);
      } catch (error) {
        throw atPath(error, step.path, `${step.change.kind} "${step.change.name}"`);
      }
    }
    if (dryRun) throw new DryRunRollback();
    result.applied = changes.length > 0;
  };
  if (!('$transaction' in ctx.db)) {
    // Already inside the caller's transaction: a dry run cannot roll back without aborting it.
    if (dryRun) return { ...(await planConfig(ctx, document, options)), applied: false };
    await work(ctx.db);
    return result;
  }
  try {
    await ctx.db.$transaction(work, TRANSACTION);
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return result;
}
