import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A Postgres primary and a streaming replica of it, each a cluster of its own in a temporary directory
 * on a free port, made with the server's own tools: initdb, pg_ctl, and pg_basebackup -R (which writes
 * the standby's primary_conninfo and standby.signal). As root the clusters run as the `postgres` user,
 * since Postgres refuses to run as root.
 */

const run = promisify(execFile);
const TOOLS = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'] as const;
const PACKAGED = '/usr/lib/postgresql';

/**
 * The directory holding initdb, pg_ctl, pg_basebackup and postgres: Debian's postgresql-15 package
 * (/usr/lib/postgresql/15/bin) when installed, else the newest other packaged version; undefined when
 * none has them all.
 */
export function postgresServerBinaries(): string | undefined {
  const complete = (dir: string) => TOOLS.every((tool) => existsSync(join(dir, tool)));
  const versions = existsSync(PACKAGED)
    ? readdirSync(PACKAGED)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const ordered = ['15', ...versions.filter((v) => v !== '15')];
  return ordered.map((v) => join(PACKAGED, v, 'bin')).find(complete);
}

export interface ReplicatedPostgres {
  /** the primary's URL for `database` */
  primaryUrl(database: string): string;
  /** the replica's URL for `database` */
  replicaUrl(database: string): string;
  /** resolves once the replica has replayed everything the primary has written so far */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** stops applying WAL on the replica (it keeps receiving it): new primary rows stay invisible there */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  /** stops both servers and removes their directories */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function postgresIds(): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      "As root, the test clusters run as the user 'postgres', which does not exist: install postgresql-15 (it creates the user) or run as another user",
    );
  }
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function startReplicatedPostgres(bin: string): Promise<ReplicatedPostgres> {
  const asRoot = process.getuid?.() === 0;
  const base = mkdtempSync(join(tmpdir(), 'portcullis-replica-'));
  const ids = asRoot ? postgresIds() : undefined;
  if (ids) chownSync(base, ids.uid, ids.gid);
  const primaryDir = join(base, 'primary');
  const replicaDir = join(base, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const env = { ...process.env, LC_ALL: 'C', PGTZ: 'UTC' };

  /** A server tool, as the postgres user when root. */
  const tool = (name: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args], { cwd: base, env })
      : run(join(bin, name), args, { cwd: base, env });
  /** Appends settings (as root too: appending keeps the postgres user the file's owner). */
  const configure = (dataDir: string, lines: string[]) => {
    appendFileSync(join(dataDir, 'postgresql.conf'), `\n${lines.join('\n')}\n`);
  };
  const pgCtl = (dataDir: string, ...args: string[]) =>
    tool('pg_ctl', ['-D', dataDir, '-l', `${dataDir}.log`, '-w', '-t', '60', ...args]);
  const url = (port: number, database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;

  let stopped = false;
  /** Synchronous, so it also runs from the process's exit hook. */
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopNow);
    for (const dir of [replicaDir, primaryDir]) {
      if (!existsSync(join(dir, 'postmaster.pid'))) continue;
      const args = [join(bin, 'pg_ctl'), '-D', dir, '-m', 'immediate', '-w', 'stop'];
      try {
        execFileSync(
          asRoot ? 'runuser' : args[0]!,
          asRoot ? ['-u', 'postgres', '--', ...args] : args.slice(1),
          {
            stdio: 'ignore',
            cwd: base,
          },
        );
      } catch {
        // already stopped
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', stopNow);

  try {
    await tool('initdb', [
      '-D',
      primaryDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '-N',
    ]);
    const common = [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${base}'`,
      'fsync = off',
      'shared_buffers = 16MB',
      'max_connections = 40',
      'max_wal_senders = 4',
      'wal_level = replica',
      'hot_standby = on',
    ];
    configure(primaryDir, [...common, `port = ${primaryPort}`]);
    await pgCtl(primaryDir, 'start');
    await tool('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
      ...['-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast', '-N'],
    ]);
    configure(replicaDir, [`port = ${replicaPort}`]);
    await pgCtl(replicaDir, 'start');
  } catch (error) {
    stopNow();
    throw error;
  }

  const cluster: ReplicatedPostgres = {
    primaryUrl: (database) => url(primaryPort, database),
    replicaUrl: (database) => url(replicaPort, database),
    async waitForReplay(timeoutMs = 30_000) {
      const [{ lsn }] = (await sql<{ lsn: string }>(
        url(primaryPort, 'postgres'),
        'SELECT pg_current_wal_lsn()::text AS lsn',
      )) as [{ lsn: string }];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await sql<{ done: boolean }>(
          url(replicaPort, 'postgres'),
          'SELECT coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), $1::pg_lsn) >= 0, false) AS done',
          [lsn],
        );
        if (row?.done) return;
        if (Date.now() > deadline)
          throw new Error(`the replica did not replay up to ${lsn} in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async pauseReplay() {
      const replica = url(replicaPort, 'postgres');
      await sql(replica, 'SELECT pg_wal_replay_pause()');
      // pausing is a request; replay stops at its next record boundary
      for (let i = 0; i < 500; i++) {
        const [row] = await sql<{ state: string }>(
          replica,
          'SELECT pg_get_wal_replay_pause_state() AS state',
        );
        if (row?.state === 'paused') return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('the replica did not pause replay');
    },
    async resumeReplay() {
      await sql(url(replicaPort, 'postgres'), 'SELECT pg_wal_replay_resume()');
    },
    async stopReplica() {
      await tool('pg_ctl', ['-D', replicaDir, '-m', 'fast', '-w', 'stop']);
    },
    async startReplica() {
      await pgCtl(replicaDir, 'start');
    },
    async stop() {
      stopNow();
    },
  };
  return cluster;
}
