import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresError } from './embedded-binaries.ts';

/**
 * The embedded cluster's superuser password: random per data dir, kept in `<dataDir>/pg-password`
 * (mode 0600, readable by whoever runs the platform, not by the `postgres` user), reused on every
 * start. Clusters made before it existed have the fixed password `portcullis`; their first start
 * rotates it (ALTER ROLE) to a random one.
 */
export const PASSWORD_FILE = 'pg-password';
/** A rotation's new password, written before the ALTER ROLE, so a crash in between loses nothing. */
export const PENDING_PASSWORD_FILE = 'pg-password.next';
/** What every cluster created before the password file had. */
export const LEGACY_PASSWORD = 'portcullis';

/** 32 random bytes, base64url: safe in a connection URL and in an SQL literal. */
const newPassword = () => randomBytes(32).toString('base64url');
const SAFE_PASSWORD = /^[A-Za-z0-9_-]+$/;

async function readSecret(path: string): Promise<string | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? null : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Written whole or not at all (temp file + rename), and 0600 whatever the umask. */
async function writeSecret(path: string, secret: string): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, `${secret}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/** The password to give initdb for a new cluster: the data dir's, created if it has none. */
export async function passwordForNewCluster(home: string): Promise<string> {
  const path = join(home, PASSWORD_FILE);
  const existing = await readSecret(path);
  if (existing && SAFE_PASSWORD.test(existing)) return existing;
  const password = newPassword();
  await writeSecret(path, password);
  return password;
}

interface Server {
  port: number;
  user: string;
}

async function withClient<T>(server: Server, password: string, use: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: server.port,
    user: server.user,
    password,
    database: 'postgres',
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Whether the server takes `password`; any failure other than a refused password is thrown. */
async function logsIn(server: Server, password: string): Promise<boolean> {
  try {
    await withClient(server, password, async () => undefined);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  }
}

/**
 * The password of the running cluster, rotated to a random one when it still has the fixed legacy
 * password. Rotation order: the new password is saved as pending, set with ALTER ROLE, then made the
 * data dir's password; a start after a crash anywhere in between finds the one that works.
 */
export async function settlePassword(home: string, server: Server): Promise<string> {
  const storedPath = join(home, PASSWORD_FILE);
  const stored = await readSecret(storedPath);
  if (stored && (await logsIn(server, stored))) return stored;
  const pendingPath = join(home, PENDING_PASSWORD_FILE);
  let pending = await readSecret(pendingPath);
  if (!pending || !SAFE_PASSWORD.test(pending)) {
    pending = newPassword();
    await writeSecret(pendingPath, pending);
  }
  if (!(await logsIn(server, pending))) {
    let current: string | null = null;
    for (const candidate of [stored, LEGACY_PASSWORD]) {
      if (candidate && (await logsIn(server, candidate))) {
        current = candidate;
        break;
      }
    }
    if (current === null) {
      throw new EmbeddedPostgresError(
        `The embedded Postgres refuses the password in ${storedPath}: restore that file, or remove the data dir ${home} to start over with an empty database.`,
      );
    }
    const next = pending;
    await withClient(server, current, (client) =>
      client.query(`ALTER ROLE "${server.user}" WITH PASSWORD '${next}'`),
    );
  }
  await rename(pendingPath, storedPath);
  return pending;
}
