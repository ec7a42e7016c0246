import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { installedBinaries, reachableBinaries, reachableByOthers } from './embedded-binaries.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const isRoot = process.getuid?.() === 0;
/** where root keeps what the postgres user must reach (packages/db/src/embedded.ts) */
const SHARED_ROOT = '/var/lib/portcullis';
const cleanup: string[] = [];
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const path of cleanup) rmSync(path, { recursive: true, force: true });
});

/** What the CLI needs of a checkout: packages/db and node_modules, hard-linked (fast, same files). */
function copyCheckout(parent: string): string {
  const checkout = join(parent, 'checkout');
  mkdirSync(join(checkout, 'packages'), { recursive: true });
  execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(checkout, 'node_modules')]);
  execFileSync('cp', ['-al', join(ROOT, 'packages/db'), join(checkout, 'packages/db')]);
  return checkout;
}

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

interface Running {
  child: ChildProcess;
  url: string;
  pid: number;
  clusterDir: string;
  exited: Promise<number | null>;
}

/** `npm start`'s way: the CLI as a process of its own, from the given checkout. */
function startCli(checkout: string, dataDir: string, port: number): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'packages/db/src/cli/embedded.ts', dataDir, String(port)],
    {
      cwd: checkout,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  started.push(child);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let output = '';
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\S+) (\d+) (\S+)$/m.exec(output);
      if (ready)
        done({ child, url: ready[1] ?? '', pid: Number(ready[2]), clusterDir: ready[3] ?? '', exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) =>
      fail(new Error(`the embedded Postgres CLI exited (${code}) before ready:\n${output}`)),
    );
  });
}

/** On the server's `postgres` database (the platform creates the url's database itself). */
async function query(url: string, sql: string): Promise<unknown[]> {
  const target = new URL(url);
  target.pathname = '/postgres';
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stopCli(running: Running): Promise<void> {
  running.child.kill('SIGTERM');
  expect(await running.exited).toBe(0);
  expect(alive(running.pid)).toBe(false);
}

// These are root's situations: Postgres refuses to run as root, so it runs as the `postgres` user, who
// must reach the binaries and the data. As any other user they do not arise, and the tests are skipped.
describe.skipIf(!isRoot)('embedded Postgres as root (skipped unless run as root)', () => {
  it('starts from a checkout in a private (mode 700) directory, and keeps its data across restarts', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'portcullis-private-'));
    cleanup.push(parent);
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    const checkout = copyCheckout(parent);
    const dataDir = join(checkout, '.data');
    const port = await freePort();

    const first = await startCli(checkout, dataDir, port);
    cleanup.push(dirname(first.clusterDir));
    // The postgres user cannot reach the checkout: the cluster lives under the shared root instead.
    expect(first.clusterDir.startsWith(`${SHARED_ROOT}/`)).toBe(true);
    await query(first.url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    await stopCli(first);

    const second = await startCli(checkout, dataDir, port);
    expect(second.clusterDir).toBe(first.clusterDir);
    expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 42 }]);
    await stopCli(second);

    // Its cluster removed (while the data dir stayed): a fresh one in the same place.
    rmSync(dirname(first.clusterDir), { recursive: true, force: true });
    const third = await startCli(checkout, dataDir, port);
    expect(third.clusterDir).toBe(first.clusterDir);
    expect(await query(third.url, "SELECT to_regclass('kept') AS kept")).toEqual([{ kept: null }]);
    await stopCli(third);
  }, 180_000);

  it('starts from a checkout whose node_modules the postgres user cannot reach', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'portcullis-modules-'));
    cleanup.push(parent);
    chmodSync(parent, 0o755);
    const checkout = copyCheckout(parent);
    chmodSync(join(checkout, 'node_modules'), 0o700);
    const port = await freePort();

    const running = await startCli(checkout, join(checkout, '.data'), port);
    // The data dir is reachable, so the cluster stays in it; the binaries run from root's verified copy.
    expect(running.clusterDir).toBe(join(checkout, '.data/pg'));
    const copies = readdirSync(SHARED_ROOT).filter((name) => /^pg-[\d.]+.*-[0-9a-f]{12}$/.test(name));
    expect(copies.length).toBeGreaterThan(0);
    expect(existsSync(join(SHARED_ROOT, copies[0] ?? '', 'bin/postgres'))).toBe(true);
    expect(await query(running.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    await stopCli(running);
  }, 120_000);

  it('says in one line what to do when the data dir cannot be created', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'portcullis-denied-'));
    cleanup.push(parent);
    // `nobody` runs the CLI from the (world-readable) checkout and asks for a data dir in root's private one.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'packages/db/src/cli/embedded.ts', join(parent, 'data'), String(await freePort())],
      {
        cwd: ROOT,
        uid: 65534,
        gid: 65534,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, HOME: '/tmp' },
      },
    );
    started.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((done) => child.once('exit', done));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `Cannot create ${join(parent, 'data')} (EACCES): set PORTCULLIS_DATA_DIR to a directory you can write, or DATABASE_URL to a Postgres of your own.`,
    ]);
  }, 60_000);
});

describe('the copy of the Postgres binaries for a user who cannot reach node_modules', () => {
  it('is made once, checked against the original, and reused', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'portcullis-bin-'));
    cleanup.push(parent);
    chmodSync(parent, 0o755);
    const installed = installedBinaries();
    const privateDir = join(parent, 'private');
    mkdirSync(privateDir, { mode: 0o700 });
    execFileSync('cp', ['-a', installed.nativeDir, join(privateDir, 'native')]);
    const shared = join(parent, 'shared');

    const copy = await reachableBinaries({ ...installed, nativeDir: join(privateDir, 'native') }, shared);
    expect(dirname(copy)).toBe(shared);
    expect(reachableByOthers(join(copy, 'bin/postgres'))).toBe(true);
    const marker = statSync(join(copy, '.portcullis-verified'));
    expect(execFileSync(join(copy, 'bin/postgres'), ['--version'], { encoding: 'utf8' })).toMatch(
      /PostgreSQL/,
    );

    // Reused as it is: not copied again.
    expect(await reachableBinaries({ ...installed, nativeDir: join(privateDir, 'native') }, shared)).toBe(
      copy,
    );
    expect(statSync(join(copy, '.portcullis-verified')).mtimeMs).toBe(marker.mtimeMs);
    expect(readdirSync(shared)).toEqual([basename(copy)]);
    // Binaries the postgres user can reach are used where they are.
    expect(await reachableBinaries(installed, shared)).toBe(installed.nativeDir);
  }, 60_000);
});
