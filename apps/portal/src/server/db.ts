import { getDb } from '@portcullis/db';

/**
 * The database handle pages and API routes pass to the services (@portcullis/services verbs). They never
 * query it themselves: the lint rules keep `@portcullis/db` out of pages and routers.
 */
export const serviceDb = getDb;
