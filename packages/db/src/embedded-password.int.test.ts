import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, EmbeddedPostgresError, startEmbeddedPostgres } from './embedded.ts';
import { postgresUser } from './embedded-binaries.ts';
import { LEGACY_PASSWORD, PASSWORD_FILE, PENDING_PASSWORD_FILE } from './embedded-password.ts';

const isRoot = process.getuid?.() === 0;
const cleanup: string[] = [];
let running: EmbeddedDatabase | undefined;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs `sql` on the server's `postgres` database with `password`; a refused login rejects with 28P01. */
async function query(port: number, password: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'portcullis',
    password,
    database: 'postgres',
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const refusal = (port: number, password: string) =>
  query(port, password, 'SELECT 1').then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);

let dataDir = '';
let port = 0;
const passwordPath = () => join(dataDir, PASSWORD_FILE);
const pendingPath = () => join(dataDir, PENDING_PASSWORD_FILE);

async function start(): Promise<EmbeddedDatabase> {
  running = await startEmbeddedPostgres(dataDir, port);
  if (!cleanup.includes(dirname(running.clusterDir))) cleanup.push(dirname(running.clusterDir));
  return running;
}

async function stop(): Promise<void> {
  await running?.stop();
  running = undefined;
}

/** Sets the superuser's password on the running server, as the cluster's past would have left it. */
async function setRolePassword(db: EmbeddedDatabase, password: string): Promise<void> {
  await query(port, passwordOf(db.url), `ALTER ROLE portcullis PASSWORD '${password}'`);
}

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'portcullis-pgpass-')), 'data');
  cleanup.push(dirname(dataDir));
  port = await freePort();
});

afterAll(async () => {
  await stop();
  for (const path of cleanup) rmSync(path, { recursive: true, force: true });
});

describe('the embedded Postgres superuser password', () => {
  it('is random per data dir, kept 0600 in it and reused on every start; the fixed one is refused', async () => {
    const first = await start();
    const password = passwordOf(first.url);
    expect(password).not.toBe(LEGACY_PASSWORD);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(passwordPath(), 'utf8').trim()).toBe(password);
    const file = statSync(passwordPath());
    expect(file.mode & 0o777).toBe(0o600);
    expect(file.uid).toBe(process.getuid?.());
    expect(await refusal(port, LEGACY_PASSWORD)).toBe('28P01');
    await query(port, password, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
    await stop();

    const second = await start();
    expect(second.url).toBe(first.url);
    expect(await query(port, password, 'SELECT v FROM kept')).toEqual([{ v: 7 }]);
    await stop();
  }, 120_000);

  it.skipIf(!isRoot)('cannot be read by the postgres user the server runs as (root only)', () => {
    expect(existsSync(passwordPath())).toBe(true);
    // Its directories opened up, so that only the file's own mode stands in the way.
    chmodSync(dirname(dataDir), 0o755);
    chmodSync(dataDir, 0o755);
    try {
      const { uid, gid } = postgresUser();
      const read = spawnSync('cat', [passwordPath()], { uid, gid, encoding: 'utf8' });
      expect(read.stderr).toMatch(/Permission denied/);
      expect(read.stdout).toBe('');
      const listed = spawnSync('ls', [dataDir], { uid, gid, encoding: 'utf8' });
      expect(listed.stdout).toContain(PASSWORD_FILE);
    } finally {
      chmodSync(dataDir, 0o700);
      chmodSync(dirname(dataDir), 0o700);
    }
  });

  it('of a cluster made with the fixed password is rotated to a random one on its next start', async () => {
    // What an older version left behind: the fixed password, and no password file.
    const before = await start();
    await setRolePassword(before, LEGACY_PASSWORD);
    await stop();
    rmSync(passwordPath());

    const after = await start();
    const password = passwordOf(after.url);
    expect(password).not.toBe(LEGACY_PASSWORD);
    expect(readFileSync(passwordPath(), 'utf8').trim()).toBe(password);
    expect(statSync(passwordPath()).mode & 0o777).toBe(0o600);
    expect(existsSync(pendingPath())).toBe(false);
    expect(await refusal(port, LEGACY_PASSWORD)).toBe('28P01');
    expect(await query(port, password, 'SELECT v FROM kept')).toEqual([{ v: 7 }]);
    await stop();
  }, 120_000);

  it('survives a rotation cut short before or after its ALTER ROLE', async () => {
    // Cut after the pending password was saved, before ALTER ROLE: the cluster still has the fixed one.
    const pending = 'pendingPasswordSavedBeforeTheAlterRole_0123';
    let db = await start();
    await setRolePassword(db, LEGACY_PASSWORD);
    await stop();
    rmSync(passwordPath());
    writeFileSync(pendingPath(), `${pending}\n`, { mode: 0o600 });
    db = await start();
    expect(passwordOf(db.url)).toBe(pending);
    expect(await refusal(port, LEGACY_PASSWORD)).toBe('28P01');

    // Cut after ALTER ROLE, before the pending file became the password file.
    const altered = 'alteredButNotYetRenamedPassword_0123456789';
    await setRolePassword(db, altered);
    await stop();
    rmSync(passwordPath());
    writeFileSync(pendingPath(), `${altered}\n`, { mode: 0o600 });
    db = await start();
    expect(passwordOf(db.url)).toBe(altered);
    expect(readFileSync(passwordPath(), 'utf8').trim()).toBe(altered);
    expect(existsSync(pendingPath())).toBe(false);
    await stop();
  }, 120_000);

  it('says what to do, and leaves no server running, when no password it knows is accepted', async () => {
    writeFileSync(passwordPath(), 'aPasswordThisClusterNeverHad_0123456789\n', { mode: 0o600 });
    const error = await startEmbeddedPostgres(dataDir, port).then(
      (db) => {
        running = db;
        return null;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddedPostgresError);
    expect((error as Error).message).toBe(
      `The embedded Postgres refuses the password in ${passwordPath()}: restore that file, or remove the data dir ${dataDir} to start over with an empty database.`,
    );
    // The server it started was stopped again: the port is free.
    expect(await refusal(port, 'x')).toBe('ECONNREFUSED');
  }, 120_000);
});
