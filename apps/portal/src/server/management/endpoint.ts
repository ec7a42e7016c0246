import type { Db, Role } from '@portcullis/db';
import type { ApiTokenScope } from '@portcullis/services/verbs/api-tokens';
import { z } from 'zod';
import type { Permission } from '../permissions';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What a handler gets: the verb context of the token's org, acting as the token's creator. */
export interface ManagementCtx {
  db: Db;
  reads: Db | undefined;
  org: { id: string; slug: string };
  actor: { id: string; apiTokenId: string };
  /** the token's effective role (never above its creator's) */
  role: Role;
  /** the token's scopes (write implies read: scopeAllows) */
  scopes: readonly string[];
}

type AnyObject = z.ZodObject<z.ZodRawShape>;
type Out<S> = S extends z.ZodType ? z.output<S> : unknown;

/**
 * One operation of the management API. REST, OpenAPI and MCP are all generated from this one entry: the
 * input is `params` (path), `query` and `body`, each validated by its schema and merged into one object.
 */
export interface Endpoint {
  /** operationId and MCP tool name: `apis.list` */
  id: string;
  method: HttpMethod;
  /** `/apis/{apiId}/publish`; every `{name}` is a key of `params` */
  path: string;
  summary: string;
  scope: ApiTokenScope;
  permission: Permission;
  params?: AnyObject;
  query?: AnyObject;
  body?: z.ZodType;
  output: z.ZodType;
  /** 200 unless said otherwise (201 for creations) */
  status?: number;
  /** the largest JSON body accepted (default MAX_BODY_BYTES) */
  maxBodyBytes?: number;
  handler: (ctx: ManagementCtx, input: Record<string, unknown>) => Promise<unknown>;
}

/** Keeps the handler's input typed by the schemas while the table stays one plain list. */
export function endpoint<
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  spec: Omit<Endpoint, 'params' | 'query' | 'body' | 'handler'> & {
    params?: P;
    query?: Q;
    body?: B;
    handler: (ctx: ManagementCtx, input: Out<P> & Out<Q> & Out<B>) => Promise<unknown>;
  },
): Endpoint {
  return spec as unknown as Endpoint;
}

/** The verb context the services take: the token's creator acts, with the token id for the audit rows. */
export function verbCtxOf(ctx: ManagementCtx) {
  return { db: ctx.db, reads: ctx.reads, actor: ctx.actor, org: { id: ctx.org.id } };
}

/** An ISO 8601 date-time with offset in JSON (query, body and tool arguments), a Date for the verbs. */
export const ZIsoDateTime = z.iso
  .datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z' })
  .transform((text) => new Date(text));

/** Loose output objects: the documented fields, and the verbs may add more. */
export const out = <S extends z.ZodRawShape>(shape: S) => z.looseObject(shape);
