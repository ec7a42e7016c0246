import type { Db, Prisma, Tx } from '@portcullis/db';
import { type ConfigChange, configNotifySql } from '@portcullis/db/notify';

/** Who acts, through which database handle. Verbs never read a session or a request. */
export interface ActorCtx {
  db: Db | Tx;
  /** `apiTokenId`: the management API token the actor acts through (null/absent: the portal) */
  actor: { id: string; apiTokenId?: string | null };
}

/** An org-scoped verb: `org` has already been resolved from the actor's membership by the caller. */
export interface OrgCtx extends ActorCtx {
  org: { id: string };
  /**
   * Where the explorers' and analytics' reads go when the platform has a read replica: rows there may
   * be a few ms to seconds behind `db`. Authorization lookups and writes always use `db`.
   */
  reads?: Db | undefined;
}

/** The handle for reads that may lag the primary a little: the replica's when there is one, else `db`. */
export function readDb(ctx: OrgCtx): Db | Tx {
  return ctx.reads ?? ctx.db;
}

/** Runs `fn` in a transaction, or inside the caller's one when `db` already is a transaction. */
export function inTransaction<T>(db: Db | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if ('$transaction' in db) return db.$transaction(fn);
  return fn(db);
}

export interface AuditEntry {
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before?: Prisma.InputJsonValue;
  after?: Prisma.InputJsonValue;
}

export async function writeAudit(
  tx: Tx,
  actor: { id: string; apiTokenId?: string | null },
  entry: AuditEntry,
): Promise<void> {
  await tx.auditLog.create({ data: { ...entry, actorId: actor.id, apiTokenId: actor.apiTokenId ?? null } });
}

/** NOTIFY is transactional: gateways hear about the change only if the transaction commits. */
export async function notifyConfig(tx: Tx, change: ConfigChange): Promise<void> {
  const { sql, args } = configNotifySql(change);
  await tx.$executeRawUnsafe(sql, ...args);
}

/** Serialises concurrent writers on one logical key (e.g. one app's subscriptions) until commit. */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', key);
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
