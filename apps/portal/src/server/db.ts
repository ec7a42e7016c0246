import { type Db, getDb, getReadDb } from '@portcullis/db';
import { env } from '../env';

/**
 * The database handle pages and API routes pass to the services (@portcullis/services verbs). They never
 * query it themselves: the lint rules keep `@portcullis/db` out of pages and routers.
 */
export const serviceDb = getDb;

/**
 * The handle the explorers' and analytics' reads go through (the verbs' `reads`): a client of the
 * DATABASE_REPLICA_URL replica, created on first use; undefined without one, and they read the primary.
 */
export function serviceReads(): Db | undefined {
  return env.DATABASE_REPLICA_URL ? getReadDb(env.DATABASE_REPLICA_URL) : undefined;
}
