import { ZPromptConfig } from '@portcullis/core/ai-config';
import { badRequest, conflict, DomainError, notFound } from '@portcullis/core/errors';
import {
  liveShares,
  MAX_PROMPT_VERSION,
  parsePromptRelease,
  releasedNumbers,
  ZPromptRelease,
  ZPromptVersionNumber,
} from '@portcullis/core/prompt-release';
import { ZId } from '@portcullis/core/schemas';
import { Prisma, type Tx } from '@portcullis/db';
import { z } from 'zod';
import { checkedPrompt } from './ai-api-config.ts';
import { promptOpenApiDocument } from './ai-prompt-openapi.ts';
import { parseOrBadRequest } from './ai-shared.ts';
import {
  inTransaction,
  isUniqueViolation,
  lockKey,
  notifyConfig,
  type OrgCtx,
  writeAudit,
} from './context.ts';

/**
 * Versions of a PROMPT API. The working copy (`Api.ai`, saved by the prompt form) is a draft: publishing
 * snapshots it as the API's next version number, and the release (`Api.promptRelease`) says which
 * published version(s) live traffic runs — one (rolling back is releasing an older one) or two split by
 * weight. Without a release the working copy serves, as before versions existed.
 */

const MAX_VERSION_PAGE_SIZE = 200;

/** Newest first, paged by keyset on the version number (unique per API, never reused). */
export const ZPromptVersionList = z.object({
  apiId: ZId,
  /** `nextCursor` of the previous page: the rows after it have smaller numbers */
  cursor: ZPromptVersionNumber.optional(),
  limit: z.number().int().min(1).max(MAX_VERSION_PAGE_SIZE).default(50),
});
export const ZPromptVersionPublish = z.object({
  apiId: ZId,
  note: z.string().trim().max(500, 'At most 500 characters').default(''),
});
export const ZPromptReleaseSet = z.object({
  apiId: ZId,
  /** null: stop serving versions, the working copy serves again */
  release: ZPromptRelease.nullable(),
});

/** Concurrent publishes race for the next number; the unique (apiId, number) decides, the loser retries. */
const PUBLISH_ATTEMPTS = 10;

async function promptApi(tx: Tx | OrgCtx['db'], orgId: string, apiId: string) {
  const api = await tx.api.findFirst({
    where: { id: apiId, orgId },
    select: {
      id: true,
      kind: true,
      ai: true,
      promptRelease: true,
      name: true,
      description: true,
      version: true,
    },
  });
  if (!api) throw notFound('API');
  if (api.kind !== 'PROMPT') throw badRequest('Versions belong to prompt APIs; this API is not one');
  return api;
}

/** One page of versions, newest first; `nextCursor` continues after its last row (null on the last page). */
export async function listPromptVersions(ctx: OrgCtx, raw: z.input<typeof ZPromptVersionList>) {
  const input = parseOrBadRequest(ZPromptVersionList, raw);
  const api = await promptApi(ctx.db, ctx.org.id, input.apiId);
  const found = await ctx.db.promptVersion.findMany({
    where: {
      apiId: api.id,
      orgId: ctx.org.id,
      ...(input.cursor === undefined ? {} : { number: { lt: input.cursor } }),
    },
    select: { id: true, number: true, note: true, createdAt: true, createdById: true, config: true },
    orderBy: { number: 'desc' },
    take: input.limit + 1,
  });
  const rows = found.slice(0, input.limit);
  const last = rows.at(-1);
  const creatorIds = [...new Set(rows.flatMap((r) => (r.createdById ? [r.createdById] : [])))];
  const creators = new Map(
    (
      await ctx.db.user.findMany({
        where: { id: { in: creatorIds }, memberships: { some: { orgId: ctx.org.id } } },
        select: { id: true, name: true, email: true },
      })
    ).map((u) => [u.id, u.name || u.email]),
  );
  const release = parsePromptRelease(api.promptRelease);
  const shares = liveShares(release);
  return {
    apiId: api.id,
    release,
    items: rows.map(({ createdById, ...row }) => ({
      ...row,
      createdBy: createdById ? (creators.get(createdById) ?? null) : null,
      livePercent: shares.get(row.number) ?? null,
    })),
    nextCursor: found.length > input.limit && last ? last.number : null,
  };
}

async function publishOnce(ctx: OrgCtx, input: { apiId: string; note: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const api = await promptApi(tx, ctx.org.id, input.apiId);
    const working = ZPromptConfig.safeParse(api.ai);
    if (!working.success) throw badRequest('Save a valid prompt before publishing a version');
    const owned = await tx.providerCredential.count({
      where: {
        orgId: ctx.org.id,
        id: { in: working.data.routes.flatMap((r) => r.targets.map((t) => t.credentialId)) },
      },
    });
    const named = new Set(working.data.routes.flatMap((r) => r.targets.map((t) => t.credentialId)));
    if (owned !== named.size) {
      throw badRequest(
        'A route names a provider credential this organization no longer has; fix the prompt first',
      );
    }
    const last = await tx.promptVersion.aggregate({ where: { apiId: api.id }, _max: { number: true } });
    const number = (last._max.number ?? 0) + 1;
    if (number > MAX_PROMPT_VERSION) {
      throw conflict(
        `This API has published version ${MAX_PROMPT_VERSION}, the highest number there is; create a new prompt API to publish more`,
      );
    }
    return insertVersion(tx, ctx, api.id, {
      number,
      config: working.data,
      note: input.note,
    });
  });
}

/** Writes one published version and its audit row (published by the actor, now). */
async function insertVersion(
  tx: Tx,
  ctx: OrgCtx,
  apiId: string,
  { number, config, note }: { number: number; config: unknown; note: string },
) {
  const version = await tx.promptVersion.create({
    data: {
      apiId,
      orgId: ctx.org.id,
      number,
      config: config as Prisma.InputJsonObject,
      note,
      createdById: ctx.actor.id,
    },
    select: { id: true, number: true, note: true, createdAt: true },
  });
  await writeAudit(tx, ctx.actor, {
    orgId: ctx.org.id,
    action: 'api.publishPromptVersion',
    targetType: 'Api',
    targetId: apiId,
    after: { number: version.number, note: version.note },
  });
  return { apiId, ...version };
}

/** Snapshots the working copy as the next version. Live traffic does not change until it is released. */
export async function publishPromptVersion(ctx: OrgCtx, raw: { apiId: string; note?: string | undefined }) {
  const input = parseOrBadRequest(ZPromptVersionPublish, raw);
  for (let attempt = 1; ; attempt++) {
    try {
      return await publishOnce(ctx, input);
    } catch (error) {
      // Inside a caller's transaction a failed statement aborts it: only a top-level call can retry.
      if (!isUniqueViolation(error) || !('$transaction' in ctx.db)) throw error;
      if (attempt >= PUBLISH_ATTEMPTS) throw conflict('Versions are being published concurrently; try again');
    }
  }
}

/** A domain error whose field errors are re-keyed under `field` (`routes.0` → `config.routes.0`). */
function underField(error: unknown, field: string): unknown {
  if (!(error instanceof DomainError)) return error;
  const fields = Object.entries(error.fields ?? {}).map(([k, v]) => [k ? `${field}.${k}` : field, v]);
  return new DomainError(
    error.code,
    error.message,
    fields.length > 0 ? Object.fromEntries(fields) : { [field]: error.message },
  );
}

const ZPromptVersionCreate = z.object({
  apiId: ZId,
  number: ZPromptVersionNumber,
  note: ZPromptVersionPublish.shape.note,
  config: z.unknown(),
});

/**
 * Creates a version with a given number and prompt, for configuration as code: an org's versions copied
 * into another keep their numbers (releases name them), gaps included. Later publishes continue after the
 * highest number. A number already taken is refused: published versions never change.
 */
export async function createPromptVersion(ctx: OrgCtx, raw: z.input<typeof ZPromptVersionCreate>) {
  const input = parseOrBadRequest(ZPromptVersionCreate, raw);
  return inTransaction(ctx.db, async (tx) => {
    const api = await promptApi(tx, ctx.org.id, input.apiId);
    const config = await checkedPrompt(tx, ctx.org.id, input.config).catch((error: unknown) => {
      throw underField(error, 'config');
    });
    const taken = await tx.promptVersion.findUnique({
      where: { apiId_number: { apiId: api.id, number: input.number } },
      select: { id: true },
    });
    if (taken) {
      throw conflict(`Version ${input.number} is already published`, {
        number: 'Published versions cannot change; publish a new number',
      });
    }
    // a publish may take the number between the check and the insert: the same conflict, not a 500
    return insertVersion(tx, ctx, api.id, { number: input.number, config, note: input.note }).catch(
      (error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
        throw conflict(`Version ${input.number} is already published`, {
          number: 'Published versions cannot change; publish a new number',
        });
      },
    );
  });
}

/** Sets which version(s) live traffic runs; every number must be a version of this API. */
export async function setPromptRelease(ctx: OrgCtx, raw: { apiId: string; release: unknown }) {
  const { apiId, release } = parseOrBadRequest(ZPromptReleaseSet, raw, 'The release is not valid');
  return inTransaction(ctx.db, async (tx) => {
    // Another tenant's id is refused before anything is locked.
    await promptApi(tx, ctx.org.id, apiId);
    // Concurrent releases of one API apply one after the other (the audit's `before` is what was live).
    await lockKey(tx, `prompt-release:${apiId}`);
    const api = await promptApi(tx, ctx.org.id, apiId);
    let documented: unknown = api.ai;
    if (release) {
      const wanted = releasedNumbers(release);
      const found = await tx.promptVersion.findMany({
        where: { apiId: api.id, orgId: ctx.org.id, number: { in: wanted } },
        select: { number: true, config: true },
      });
      const have = new Set(found.map((v) => v.number));
      const fields: Record<string, string> = {};
      if (!have.has(release.versionA)) {
        fields['release.versionA'] = `This API has no version ${release.versionA}`;
      }
      if (release.versionB !== undefined && !have.has(release.versionB)) {
        fields['release.versionB'] = `This API has no version ${release.versionB}`;
      }
      if (Object.keys(fields).length > 0) {
        throw badRequest('Release only published versions of this API', fields);
      }
      const major =
        release.versionB !== undefined && release.weightB > 50 ? release.versionB : release.versionA;
      documented = found.find((v) => v.number === major)?.config;
    }
    // The API's documentation describes what most callers reach: the larger share, else the working copy.
    const documentedPrompt = ZPromptConfig.safeParse(documented);
    const openapiSpec = documentedPrompt.success
      ? promptOpenApiDocument(api, documentedPrompt.data)
      : undefined;
    await tx.api.update({
      where: { id: api.id },
      // Prisma needs DbNull to store SQL NULL in a Json? column
      data: {
        promptRelease: release === null ? Prisma.DbNull : (release as Prisma.InputJsonObject),
        ...(openapiSpec ? { openapiSpec: openapiSpec as Prisma.InputJsonObject } : {}),
      },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.releasePrompt',
      targetType: 'Api',
      targetId: api.id,
      before: { release: (api.promptRelease ?? null) as Prisma.InputJsonValue | null },
      after: { release: (release ?? null) as Prisma.InputJsonObject | null },
    });
    await notifyConfig(tx, { kind: 'api', id: api.id });
    return { apiId: api.id, release };
  });
}
