import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDatabase, MIGRATIONS_DIR, migrate } from './migrate.ts';

/** A database of its own with the migrations before one applied: for testing that migration on old rows. */
export interface DatabaseBefore {
  url: string;
  /** connected to it */
  client: pg.Client;
  /** Disconnects, drops the database and the copied migrations. */
  drop(): Promise<void>;
}

/**
 * Creates (afresh) `<DATABASE_URL's database>_<suffix>` and applies every migration that sorts before
 * `migration`. `migrate(url)` then applies the rest, the one under test first.
 */
export async function databaseBefore(migration: string, suffix: string): Promise<DatabaseBefore> {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/portcullis_test');
  const name = `${url.pathname.slice(1)}_${suffix}`;
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  try {
    for (const entry of await readdir(MIGRATIONS_DIR, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name < migration)
        await cp(join(MIGRATIONS_DIR, entry.name), join(dir, entry.name), { recursive: true });
    }
    await migrate(databaseUrl, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    url: databaseUrl,
    client,
    async drop() {
      await client.end().catch(() => undefined);
      await dropDatabase(databaseUrl);
    },
  };
}

/** DROP DATABASE … WITH (FORCE) of the database `databaseUrl` names, through the `postgres` database. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const admin = new URL(databaseUrl);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
