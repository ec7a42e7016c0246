import { type PrismaClient as Db, Prisma } from '../generated/client.ts';

/**
 * A client for a Postgres streaming replica, for reads that may be a little behind the primary (the
 * explorers and analytics). Every query goes to the replica; one that fails because the replica cannot
 * serve it (unreachable, shutting down, recovering, connection cut, query cancelled by replay) runs on
 * the primary instead, and reads stay on the primary for `coolOffMs` before the replica is tried again,
 * so a replica that is down costs one failed attempt per cool-off, not one per query.
 *
 * Single reads only: a write sent here fails on the replica (read-only transaction) and is not retried,
 * and no transaction is run here (a query retried on the primary would leave it).
 */
export interface ReadReplicaOptions {
  /** where writes go, and reads while the replica is unavailable */
  primary: Db;
  /** creates the replica's client from its URL (the primary's factory, so both have the same options) */
  connect: (url: string) => Db;
  /** how long reads stay on the primary after the replica failed (default 30 s) */
  coolOffMs?: number;
  /** told once per failure, with the reason (default console.warn) */
  warn?: (message: string) => void;
  now?: () => number;
}

const DEFAULT_COOL_OFF_MS = 30_000;

/** Driver adapter error kinds that mean "this server cannot serve queries now", not "this query is wrong". */
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  // SQLSTATE 40001: on a standby, a query cancelled because it conflicted with WAL replay
  'TransactionWriteConflict',
]);

/**
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (shutting down, crashed, starting up or in
 * recovery) and 40P01 (replay deadlock on a standby).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|40P01)$/;

/** node-postgres' own errors, which carry no code: a connection that could not be opened or was cut. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Can't reach database server|ECONNREFUSED|ECONNRESET/i;

/** The reason, when `error` says the replica could not serve the query; undefined for any other error. */
export function replicaUnavailableReason(error: unknown): string | undefined {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const cause = (error.meta?.driverAdapterError as { cause?: Record<string, unknown> } | undefined)?.cause;
    const kind = typeof cause?.kind === 'string' ? cause.kind : undefined;
    if (kind && UNAVAILABLE_KINDS.has(kind)) return kind;
    if (kind === 'postgres' && typeof cause?.code === 'string' && UNAVAILABLE_SQLSTATE.test(cause.code)) {
      return `${cause.code} ${String(cause.message ?? '')}`.trim();
    }
    return undefined;
  }
  if (error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message)) {
    return error.message.split('\n').at(-1)?.trim() || error.message;
  }
  return undefined;
}

type AnyFn = (...args: unknown[]) => Promise<unknown>;

/** The same operation with the same arguments, on another client. */
function runOn(client: Db, model: string | undefined, operation: string, args: unknown): Promise<unknown> {
  const target = client as unknown as Record<string, Record<string, AnyFn> | AnyFn>;
  if (model) {
    const delegate = target[model.charAt(0).toLowerCase() + model.slice(1)] as Record<string, AnyFn>;
    return delegate[operation]!(args);
  }
  const method = target[operation] as AnyFn;
  // $queryRaw / $executeRaw receive one Sql object; the Unsafe variants the text and its values
  return Array.isArray(args) ? method.apply(client, args) : method.call(client, args);
}

export function createReadReplicaDb(url: string, opts: ReadReplicaOptions): Db {
  const coolOffMs = opts.coolOffMs ?? DEFAULT_COOL_OFF_MS;
  const warn = opts.warn ?? ((message: string) => console.warn(message));
  const now = opts.now ?? Date.now;
  let primaryUntil = 0;
  const replica = opts.connect(url);
  const extended = replica.$extends({
    name: 'read-replica',
    query: {
      async $allOperations({ model, operation, args, query }) {
        if (now() < primaryUntil) return runOn(opts.primary, model, operation, args);
        try {
          return await query(args);
        } catch (error) {
          const reason = replicaUnavailableReason(error);
          if (reason === undefined) throw error;
          // queries in flight when the replica went away fail together: one warning for all of them
          if (now() >= primaryUntil) {
            primaryUntil = now() + coolOffMs;
            warn(
              `Read replica unavailable (${reason}): reads go to the primary for the next ${Math.round(coolOffMs / 1000)} s`,
            );
          }
          return runOn(opts.primary, model, operation, args);
        }
      },
    },
  });
  // The extension changes where queries run, not what the client offers: it is used as a Db.
  return extended as unknown as Db;
}
