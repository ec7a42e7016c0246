import { badRequest, conflict, notFound } from '@portcullis/core/errors';
import { diffOpenApi } from '@portcullis/core/openapi-diff';
import { ZId } from '@portcullis/core/schemas';
import type { Prisma, Tx } from '@portcullis/db';
import { z } from 'zod';
import { notifyUsers } from '../notify-users.ts';
import { apiSubscriberUserIds } from './audience.ts';
import { inTransaction, isUniqueViolation, type OrgCtx, writeAudit } from './context.ts';

/** An API's changelog and its published OpenAPI versions (ApiChangelogEntry, ApiSpecVersion). */

export const ZApiVersionString = z
  .string()
  .trim()
  .min(1, 'Enter a version such as v2 or 2.1.0')
  .max(40, 'At most 40 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dots, dashes and underscores');

export const ZChangelogAdd = z.object({
  apiId: ZId,
  /** '' = the API's current version */
  version: z.union([z.literal(''), ZApiVersionString]).default(''),
  title: z.string().trim().min(1, 'A title is required').max(200, 'At most 200 characters'),
  body: z.string().trim().max(10_000, 'At most 10,000 characters').default(''),
  breaking: z.boolean().default(false),
});
export type ChangelogAddInput = z.input<typeof ZChangelogAdd>;

export const ZChangelogEntryRef = z.object({ entryId: ZId });

export const ZPublishVersion = z.object({
  apiId: ZId,
  version: ZApiVersionString,
  /** changelog text; '' = a summary of the diff against the previous version */
  notes: z.string().trim().max(10_000, 'At most 10,000 characters').default(''),
});
export type PublishVersionInput = z.input<typeof ZPublishVersion>;

const entrySelect = {
  id: true,
  version: true,
  title: true,
  body: true,
  breaking: true,
  createdAt: true,
} as const;

async function ownApi(db: OrgCtx['db'], ctx: OrgCtx, apiId: string) {
  const api = await db.api.findFirst({
    where: { id: apiId, orgId: ctx.org.id },
    select: { id: true, name: true, slug: true, status: true, version: true, openapiSpec: true },
  });
  if (!api) throw notFound('API');
  return api;
}

export async function listChangelog(ctx: OrgCtx, input: { apiId: string }) {
  const api = await ownApi(ctx.db, ctx, input.apiId);
  return ctx.db.apiChangelogEntry.findMany({
    where: { apiId: api.id, api: { orgId: ctx.org.id } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: entrySelect,
    take: 500,
  });
}

export async function addChangelogEntry(ctx: OrgCtx, raw: ChangelogAddInput) {
  const input = ZChangelogAdd.parse(raw);
  return inTransaction(ctx.db, async (tx) => {
    const api = await ownApi(tx, ctx, input.apiId);
    const entry = await tx.apiChangelogEntry.create({
      data: {
        apiId: api.id,
        version: input.version || api.version,
        title: input.title,
        body: input.body,
        breaking: input.breaking,
      },
      select: entrySelect,
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.changelog.add',
      targetType: 'ApiChangelogEntry',
      targetId: entry.id,
      after: { apiId: api.id, version: entry.version, title: entry.title, breaking: entry.breaking },
    });
    return entry;
  });
}

export async function removeChangelogEntry(ctx: OrgCtx, input: { entryId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const entry = await tx.apiChangelogEntry.findFirst({
      where: { id: input.entryId, api: { orgId: ctx.org.id } },
      select: { ...entrySelect, apiId: true },
    });
    if (!entry) throw notFound('Changelog entry');
    await tx.apiChangelogEntry.delete({ where: { id: entry.id } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.changelog.remove',
      targetType: 'ApiChangelogEntry',
      targetId: entry.id,
      before: { apiId: entry.apiId, version: entry.version, title: entry.title, breaking: entry.breaking },
    });
    return { id: entry.id, removed: true };
  });
}

export async function listSpecVersions(ctx: OrgCtx, input: { apiId: string }) {
  const api = await ownApi(ctx.db, ctx, input.apiId);
  const versions = await ctx.db.apiSpecVersion.findMany({
    where: { apiId: api.id, api: { orgId: ctx.org.id } },
    orderBy: { createdAt: 'desc' },
    select: { version: true, createdAt: true },
  });
  return { current: api.version, hasDocument: api.openapiSpec !== null, versions };
}

/**
 * Keeps the document of `version` (the first publish, or a re-publish of the same version string,
 * replaces what was kept for it).
 */
export async function snapshotSpec(tx: Tx, apiId: string, version: string, spec: unknown): Promise<void> {
  if (spec === null || spec === undefined) return;
  const json = spec as Prisma.InputJsonValue;
  await tx.apiSpecVersion.upsert({
    where: { apiId_version: { apiId, version } },
    create: { apiId, version, spec: json },
    update: { spec: json },
  });
}

function summarise(diff: ReturnType<typeof diffOpenApi>, previous: string | null): string {
  if (!previous) return 'First published version of the OpenAPI document.';
  if (diff.changes.length === 0) return `No changes to the OpenAPI document since ${previous}.`;
  const lines = diff.changes
    .slice(0, 20)
    .map(
      (c) =>
        `- ${c.level === 'breaking' ? '[breaking] ' : ''}${c.location ? `${c.operation}: ` : ''}${c.message}`,
    );
  const more = diff.changes.length > 20 ? [`- … and ${diff.changes.length - 20} more`] : [];
  return [
    `Changes since ${previous}: ${diff.breaking} breaking, ${diff.nonBreaking} other.`,
    ...lines,
    ...more,
  ].join('\n');
}

/**
 * Publishes the current OpenAPI document as a new version string: snapshots it, makes it the API's
 * version and writes a changelog entry flagged breaking when the diff against the previous snapshot
 * finds breaking changes (subscribers are then told in-app).
 */
export async function publishApiVersion(ctx: OrgCtx, raw: PublishVersionInput) {
  const input = ZPublishVersion.parse(raw);
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const api = await ownApi(tx, ctx, input.apiId);
      if (api.status !== 'PUBLISHED' && api.status !== 'DEPRECATED') {
        throw conflict(`Only a published API gets new versions (this one is ${api.status})`);
      }
      if (api.openapiSpec === null) {
        throw badRequest('Add an OpenAPI document first', {
          version: 'This API has no OpenAPI document to publish',
        });
      }
      const taken = await tx.apiSpecVersion.findFirst({
        where: { apiId: api.id, version: input.version },
        select: { version: true },
      });
      if (taken)
        throw conflict('This version was already published', { version: 'Choose a new version string' });
      const previous = await tx.apiSpecVersion.findFirst({
        where: { apiId: api.id },
        orderBy: { createdAt: 'desc' },
        select: { version: true, spec: true },
      });
      const diff = diffOpenApi(previous?.spec ?? null, api.openapiSpec);
      await snapshotSpec(tx, api.id, input.version, api.openapiSpec);
      await tx.api.update({ where: { id: api.id }, data: { version: input.version } });
      const breaking = previous !== null && diff.breaking > 0;
      const entry = await tx.apiChangelogEntry.create({
        data: {
          apiId: api.id,
          version: input.version,
          title: `Version ${input.version}`,
          body: input.notes || summarise(diff, previous?.version ?? null),
          breaking,
        },
        select: entrySelect,
      });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: 'api.publishVersion',
        targetType: 'Api',
        targetId: api.id,
        before: { version: api.version },
        after: { version: input.version, breaking: diff.breaking, nonBreaking: diff.nonBreaking },
      });
      if (breaking) {
        const org = await tx.organization.findUniqueOrThrow({
          where: { id: ctx.org.id },
          select: { slug: true },
        });
        await notifyUsers(tx, {
          userIds: await apiSubscriberUserIds(tx, api.id),
          kind: 'api.breaking_version',
          title: `${api.name} ${input.version} has breaking changes`,
          body: `${diff.breaking} breaking change${diff.breaking === 1 ? '' : 's'} since ${previous?.version}. Compare the versions before upgrading.`,
          link: `/catalog/${org.slug}/${api.slug}/versions?from=${encodeURIComponent(previous?.version ?? '')}&to=${encodeURIComponent(input.version)}`,
        });
      }
      return {
        version: input.version,
        entry,
        diff: { breaking: diff.breaking, nonBreaking: diff.nonBreaking },
      };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('This version was already published', { version: 'Choose a new version string' });
    throw error;
  }
}
