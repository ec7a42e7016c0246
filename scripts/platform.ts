/**
 * The one command that runs the whole platform: `npm start`.
 * No DATABASE_URL → an embedded Postgres in PORTCULLIS_DATA_DIR; no REDIS_URL → in-memory counters in
 * the (single) gateway. Then: migrations, demo seed, the echo upstream, the gateway and the portal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createDb } from '@portcullis/db';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import { seedDemo } from '../prisma/seed.ts';
import { startEchoUpstream } from './lib/echo-upstream.ts';
import { childEnv, readPlatformEnv } from './lib/env.ts';

const ROOT = resolve(import.meta.dirname, '..');
const env = readPlatformEnv();
const dataDir = resolve(ROOT, env.PORTCULLIS_DATA_DIR);
const children: ChildProcess[] = [];
let embedded: ChildProcess | undefined;
let stopping = false;

async function main(): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    log(
      `no DATABASE_URL: starting embedded Postgres on port ${env.EMBEDDED_PG_PORT} (data in ${dataDir}/pg)`,
    );
    ({ child: embedded, url: databaseUrl } = await startEmbeddedProcess(dataDir, env.EMBEDDED_PG_PORT));
  }
  await ensureDatabase(databaseUrl);
  const migrated = await migrate(databaseUrl);
  log(
    `database ready (migrations applied now: ${migrated.applied.length}, before: ${migrated.skipped.length})`,
  );

  const echoUrl = `http://127.0.0.1:${env.ECHO_PORT}`;
  const db = createDb(databaseUrl, 2);
  const demo = await seedDemo(db, { upstreamUrl: echoUrl, dataDir });
  await db.$disconnect();

  const echo = await startEchoUpstream(env.ECHO_PORT);
  log(`echo upstream on ${echoUrl}`);

  const authSecret = env.AUTH_SECRET ?? (await persistentSecret(join(dataDir, 'auth-secret')));
  // Encrypts tenants' Stripe keys (and AI provider credentials) at rest; generated once, kept in the data dir.
  const encryptionKey =
    env.PORTCULLIS_ENCRYPTION_KEY ?? (await persistentSecret(join(dataDir, 'encryption-key')));
  const gatewayUrl = `http://${env.PUBLIC_HOST}:${env.GATEWAY_PORT}`;
  const portalUrl = `http://${env.PUBLIC_HOST}:${env.PORTAL_PORT}`;
  if (!env.REDIS_URL)
    log('no REDIS_URL: the gateway keeps rate-limit and quota counters in memory (single instance)');

  children.push(
    run(
      'gateway',
      process.execPath,
      ['--max-semi-space-size=8', '--import', 'tsx', 'apps/gateway/src/main.ts'],
      {
        DATABASE_URL: databaseUrl,
        REDIS_URL: env.REDIS_URL,
        GATEWAY_PORT: String(env.GATEWAY_PORT),
        GATEWAY_HOST: '127.0.0.1',
        // decrypts the tenants' AI provider credentials (the portal encrypts them with the same key)
        PORTCULLIS_ENCRYPTION_KEY: encryptionKey,
      },
    ),
  );
  // Always: period close (local invoices), Stripe sync and the payment grace check. With Redis also the
  // metering consumer: usage goes through Redis streams, which only this worker moves into Postgres.
  children.push(
    run('metering', process.execPath, ['--import', 'tsx', 'apps/metering/src/main.ts'], {
      DATABASE_URL: databaseUrl,
      REDIS_URL: env.REDIS_URL,
      PORTCULLIS_ENCRYPTION_KEY: encryptionKey,
    }),
  );

  const nextBin = join(ROOT, 'node_modules/next/dist/bin/next');
  const portalEnv = {
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: authSecret,
    PORTCULLIS_ENCRYPTION_KEY: encryptionKey,
    AUTH_TRUST_HOST: 'true',
    AUTH_URL: portalUrl,
    GATEWAY_PUBLIC_URL: gatewayUrl,
    NODE_ENV: 'production',
  };
  if (!existsSync(join(ROOT, 'apps/portal/.next/BUILD_ID'))) {
    log('building the portal (first run only; `npm run build` rebuilds it)…');
    await waitExit(run('portal-build', process.execPath, [nextBin, 'build', 'apps/portal'], portalEnv));
  }
  children.push(
    run(
      'portal',
      process.execPath,
      [nextBin, 'start', 'apps/portal', '-p', String(env.PORTAL_PORT), '-H', '127.0.0.1'],
      portalEnv,
    ),
  );

  await Promise.all([waitHttp(`${gatewayUrl}/healthz`), waitHttp(`${portalUrl}/signin`)]);
  const curl = `curl -i -H 'Authorization: Bearer ${demo.apiKey}' ${gatewayUrl}/${demo.orgSlug}/${demo.apiSlug}/hello?name=world`;
  console.log(
    [
      '',
      '  Portcullis is running',
      `  Portal   ${portalUrl}   (login ${demo.email} / ${demo.password})`,
      `  Gateway  ${gatewayUrl}   (${env.REDIS_URL ? 'Redis counters' : 'in-memory counters'})`,
      `  Upstream ${echoUrl}   (demo echo API)`,
      `  Database ${embedded ? 'embedded Postgres' : 'DATABASE_URL'}`,
      '',
      '  Try it:',
      `  ${curl}`,
      '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  process.once('exit', () => echo.close());
}

function log(message: string): void {
  console.log(`[platform] ${message}`);
}

function run(
  name: string,
  cmd: string,
  args: string[],
  extra: Record<string, string | undefined>,
): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env: childEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  child.on('exit', (code, signal) => {
    if (!stopping && name !== 'portal-build') {
      console.error(`[platform] ${name} exited (${signal ?? code}); stopping`);
      void shutdown(1);
    }
  });
  return child;
}

/** Embedded Postgres in its own process group: a terminal Ctrl-C does not stop it before the others. */
function startEmbeddedProcess(dir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'packages/db/src/cli/embedded.ts', dir, String(port)],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
    },
  );
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /^ready (\S+)$/m.exec(out)?.[1];
      if (url) ok({ child, url });
    });
    child.once('exit', (code) => fail(new Error(`embedded Postgres exited (${code}): ${out}`)));
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  return new Promise((ok, fail) =>
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`exited with ${code}`)))),
  );
}

async function waitHttp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function persistentSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          const force = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(force);
            r();
          });
        }),
    ),
  );
  if (embedded && embedded.exitCode === null) {
    const exited = new Promise((r) => embedded?.once('exit', r));
    embedded.kill('SIGTERM');
    await exited;
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((error: unknown) => {
  console.error(`[platform] failed: ${(error as Error).message}`);
  void shutdown(1);
});
