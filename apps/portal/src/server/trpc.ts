import { DomainError, type DomainErrorCode } from '@portcullis/core/errors';
import { ZSlugRef } from '@portcullis/core/schemas';
import type { Db } from '@portcullis/db';
import { findMembership } from '@portcullis/services/verbs/org';
import { isPlatformAdmin } from '@portcullis/services/verbs/settings';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import { can, type Permission } from './permissions';

/** Request context: the session's user id (null when signed out) and the database. Nothing from input. */
export interface TrpcContext {
  db: Db;
  /** the read replica's client, for the reads verbs send to `readDb(ctx)`; absent → they read `db` */
  reads: Db | undefined;
  userId: string | null;
  isProduction: boolean;
  /**
   * The HTTP client's address for per-IP limits (`unknown` when the portal could not tell); null for
   * server-side callers, which no per-IP limit applies to.
   */
  clientIp: string | null;
}

export function createTrpcContext(opts: {
  db: Db;
  reads?: Db | undefined;
  userId: string | null;
  isProduction?: boolean;
  clientIp?: string | null;
}): TrpcContext {
  return {
    db: opts.db,
    reads: opts.reads,
    userId: opts.userId,
    isProduction: opts.isProduction ?? false,
    clientIp: opts.clientIp ?? null,
  };
}

/** First message per field; nested fields are dotted paths (`cors.maxAgeSeconds`, `targets.0.url`). */
function firstMessages(error: ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.');
    if (field && !(field in out)) out[field] = issue.message;
  }
  return out;
}

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error, ctx }) {
    const zodError = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    const fields =
      error.cause instanceof DomainError
        ? (error.cause.fields ?? null)
        : zodError
          ? firstMessages(error.cause as ZodError)
          : null;
    const hideMessage = error.code === 'INTERNAL_SERVER_ERROR' && ctx?.isProduction !== false;
    return {
      ...shape,
      message: hideMessage ? 'Something went wrong. Please try again.' : shape.message,
      data: { ...shape.data, zodError, fields },
    };
  },
});

const DOMAIN_TO_TRPC: Record<DomainErrorCode, TRPCError['code']> = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** The one place domain errors become tRPC errors (status code and message; fields via the formatter). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    return {
      ...result,
      error: new TRPCError({ code: DOMAIN_TO_TRPC[cause.code], message: cause.message, cause }),
    };
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(domainErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.userId) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in' });
  return next({ ctx: { ...ctx, actor: { id: ctx.userId } } });
});

/**
 * Org-scoped: `orgSlug` comes from input, but `ctx.org` comes from the actor's membership.
 * Not a member (or no such org) → NOT_FOUND, so org slugs cannot be probed.
 */
const memberProcedure = protectedProcedure
  .input(z.object({ orgSlug: ZSlugRef }))
  .use(async ({ ctx, input, next }) => {
    const membership = await findMembership({ db: ctx.db, actor: ctx.actor }, input.orgSlug);
    if (!membership) throw new TRPCError({ code: 'NOT_FOUND', message: 'Organization not found' });
    return next({
      ctx: {
        ...ctx,
        org: { id: membership.id, slug: membership.slug, name: membership.name },
        role: membership.role,
      },
    });
  });

/** `orgProcedure('api.write')`: a member of the org whose role grants the permission. */
export function orgProcedure(permission: Permission) {
  return memberProcedure.use(({ ctx, next }) => {
    if (!can(ctx.role, permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Your role does not allow this' });
    }
    return next();
  });
}

/** Operator-only procedures (platform settings): the user's isPlatformAdmin flag, read per request. */
export const platformAdminProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (!(await isPlatformAdmin({ db: ctx.db, actor: ctx.actor }))) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only platform administrators can do this' });
  }
  return next();
});

/** The verb context a router hands to packages/core. */
export function verbCtx(ctx: { db: Db; reads: Db | undefined; actor: { id: string }; org: { id: string } }) {
  return { db: ctx.db, reads: ctx.reads, actor: ctx.actor, org: ctx.org };
}
