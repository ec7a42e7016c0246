/**
 * The one command that runs the whole platform: `npm start`.
 * No DATABASE_URL → an embedded Postgres in PORTCULLIS_DATA_DIR; no REDIS_URL → in-memory counters in
 * the (single) gateway. Then: migrations, demo seed, the echo upstream, the gateway and the portal.
 * It runs until stopped (Ctrl-C): a child that exits is started again after a backoff, with one line
 * saying so; a failure to start is one line saying what to do.
 */

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { createDb } from '@portcullis/db';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import { ensureDayPartitions } from '@portcullis/db/partitions';
import { createPgPool, sqlWriter } from '@portcullis/db/pg';
import { seedDemo } from '../prisma/seed.ts';
import { startEchoUpstream } from './lib/echo-upstream.ts';
import { childEnv, readPlatformEnv } from './lib/env.ts';
import {
  describeStartupFailure,
  ensurePortsFree,
  persistentSecret,
  StartupError,
  waitHttp,
} from './lib/startup.ts';
import { type ChildSpec, type SupervisedChild, supervise } from './lib/supervisor.ts';

const ROOT = resolve(import.meta.dirname, '..');
const env = readPlatformEnv();
const dataDir = resolve(ROOT, env.PORTCULLIS_DATA_DIR);
/** gateway, metering, portal (and the first-run portal build): stopped first, in parallel */
const services: SupervisedChild[] = [];
/** stopped last, once nothing uses it */
let database: SupervisedChild | undefined;
let echo: Server | undefined;
let stopping = false;

async function main(): Promise<void> {
  await ensurePortsFree([
    { variable: 'GATEWAY_PORT', port: env.GATEWAY_PORT },
    { variable: 'PORTAL_PORT', port: env.PORTAL_PORT },
    { variable: 'ECHO_PORT', port: env.ECHO_PORT },
    ...(env.DATABASE_URL ? [] : [{ variable: 'EMBEDDED_PG_PORT', port: env.EMBEDDED_PG_PORT }]),
  ]);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new StartupError(
      `Cannot create the data dir ${dataDir} (${(error as NodeJS.ErrnoException).code}): set PORTCULLIS_DATA_DIR to a directory you can write.`,
    );
  }
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    log(`no DATABASE_URL: starting embedded Postgres on port ${env.EMBEDDED_PG_PORT}`);
    databaseUrl = await startEmbeddedPostgres();
  }
  const migrated = await prepareDatabase(databaseUrl);
  log(`database ready (migrations applied now: ${migrated.applied}, before: ${migrated.skipped})`);

  const echoUrl = `http://127.0.0.1:${env.ECHO_PORT}`;
  const db = createDb(databaseUrl, 2);
  const demo = await seedDemo(db, { upstreamUrl: echoUrl, dataDir });
  await db.$disconnect();

  // The echo upstream lives inside this process: it is up exactly as long as the platform is.
  echo = await startEchoUpstream(env.ECHO_PORT);
  echo.on('error', (error) => log(`echo upstream error: ${error.message}`));
  log(`echo upstream on ${echoUrl}`);

  const authSecret = env.AUTH_SECRET ?? (await persistentSecret(join(dataDir, 'auth-secret')));
  // Encrypts tenants' Stripe keys (and AI provider credentials) at rest; generated once, kept in the data dir.
  const encryptionKey =
    env.PORTCULLIS_ENCRYPTION_KEY ?? (await persistentSecret(join(dataDir, 'encryption-key')));
  const gatewayUrl = `http://${env.PUBLIC_HOST}:${env.GATEWAY_PORT}`;
  const portalUrl = `http://${env.PUBLIC_HOST}:${env.PORTAL_PORT}`;
  if (!env.REDIS_URL)
    log('no REDIS_URL: the gateway keeps rate-limit and quota counters in memory (single instance)');

  startService(
    'gateway',
    ['--max-semi-space-size=8', '--import', 'tsx', 'apps/gateway/src/main.ts'],
    {
      DATABASE_URL: databaseUrl,
      REDIS_URL: env.REDIS_URL,
      GATEWAY_PORT: String(env.GATEWAY_PORT),
      GATEWAY_HOST: '127.0.0.1',
      // two malloc arenas, not one per thread: a lower RSS (docs/operations.md)
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      // decrypts the tenants' AI provider credentials (the portal encrypts them with the same key)
      PORTCULLIS_ENCRYPTION_KEY: encryptionKey,
    },
    // beyond its own drain budget (10 s): time to flush usage
    { killAfterMs: 25_000 },
  );
  // Always: period close (local invoices), Stripe sync and the payment grace check. With Redis also the
  // metering consumer: usage goes through Redis streams, which only this worker moves into Postgres.
  startService('metering', ['--import', 'tsx', 'apps/metering/src/main.ts'], {
    DATABASE_URL: databaseUrl,
    REDIS_URL: env.REDIS_URL,
    PORTCULLIS_ENCRYPTION_KEY: encryptionKey,
  });

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
  let portalBuilt = existsSync(join(ROOT, 'apps/portal/.next/BUILD_ID'));
  if (!portalBuilt) {
    log('building the portal (first run only; `npm run build` rebuilds it)…');
    portalBuilt = await buildPortal(nextBin, portalEnv);
  }
  if (portalBuilt) {
    startService(
      'portal',
      [nextBin, 'start', 'apps/portal', '-p', String(env.PORTAL_PORT), '-H', '127.0.0.1'],
      portalEnv,
    );
  }

  await Promise.all([
    waitHttp(`${gatewayUrl}/healthz`, 'gateway', log, () => stopping),
    portalBuilt ? waitHttp(`${portalUrl}/signin`, 'portal', log, () => stopping) : undefined,
  ]);
  if (stopping) return;
  const curl = `curl -i -H 'Authorization: Bearer ${demo.apiKey}' ${gatewayUrl}/${demo.orgSlug}/${demo.apiSlug}/hello?name=world`;
  console.log(
    [
      '',
      '  Portcullis is running',
      portalBuilt
        ? `  Portal   ${portalUrl}   (login ${demo.email} / ${demo.password})`
        : '  Portal   not running: its build failed (see above)',
      `  Gateway  ${gatewayUrl}   (${env.REDIS_URL ? 'Redis counters' : 'in-memory counters'})`,
      `  Upstream ${echoUrl}   (demo echo API)`,
      `  Database ${env.DATABASE_URL ? 'DATABASE_URL' : 'embedded Postgres'}`,
      '',
      '  Try it:',
      `  ${curl}`,
      `  MCP: ${gatewayUrl}/mcp (Streamable HTTP) with the same Authorization header`,
      '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

function log(message: string): void {
  console.log(`[platform] ${message}`);
}

const node = process.execPath;

function startService(
  name: string,
  args: string[],
  extra: Record<string, string | undefined>,
  options: { killAfterMs?: number } = {},
): void {
  // A Ctrl-C during startup: nothing new starts (stop() already took its list of children).
  if (stopping) return;
  services.push(
    supervise(
      { name, command: node, args, cwd: ROOT, env: childEnv(extra), onSpawn: (pid) => started(name, pid) },
      { log, ...options },
    ),
  );
}

function started(name: string, pid: number): void {
  log(`${name} started (pid ${pid})`);
}

/** The first-run build: a task, not a service. A failed build is reported; the rest keeps running. */
function buildPortal(nextBin: string, portalEnv: Record<string, string | undefined>): Promise<boolean> {
  if (stopping) return Promise.resolve(false);
  return new Promise((done) => {
    services.push(
      supervise(
        {
          name: 'portal-build',
          command: node,
          args: [nextBin, 'build', 'apps/portal'],
          cwd: ROOT,
          env: childEnv(portalEnv),
          restart: false,
          onSpawn: (pid) => started('portal-build', pid),
          onExit: ({ code, signal }) => {
            if (code !== 0) {
              log(
                `the portal build failed (${signal ?? `code ${code}`}): the portal is not started; fix the error above, then run \`npm run build\` and \`npm start\` again`,
              );
            }
            done(code === 0);
          },
        },
        { log },
      ),
    );
  });
}

/**
 * The embedded Postgres in its own process group: a terminal Ctrl-C does not stop it before the others.
 * A failure before it is first ready ends the start (with the CLI's one-line reason); once it has been
 * ready, it is started again like any other child.
 */
function startEmbeddedPostgres(): Promise<string> {
  return new Promise((ready, fail) => {
    let url: string | undefined;
    let reason = '';
    const spec: ChildSpec = {
      name: 'embedded-postgres',
      command: node,
      args: ['--import', 'tsx', 'packages/db/src/cli/embedded.ts', dataDir, String(env.EMBEDDED_PG_PORT)],
      cwd: ROOT,
      env: childEnv({}),
      detached: true,
      // its end tells the database process that the platform is gone, however the platform ended
      stdinPipe: true,
      restart: () => url !== undefined,
      onSpawn: (pid) => started('embedded-postgres', pid),
      onLine: (line, stream) => {
        const announced = /^ready (\S+) (\d+) (\S+)$/.exec(line);
        if (announced) {
          log(
            `embedded Postgres ready (postmaster pid ${announced[2]}; data and server log in ${announced[3]})`,
          );
          if (url === undefined) {
            url = announced[1] ?? '';
            ready(url);
          }
        } else if (url === undefined) {
          if (stream === 'stderr' && line.trim()) reason = line.trim();
        } else if (line.trim()) process.stderr.write(`[embedded-postgres] ${line}\n`);
      },
      onExit: ({ code, signal }) => {
        if (url !== undefined) return;
        fail(
          new StartupError(
            reason || `The embedded Postgres exited (${signal ?? `code ${code}`}) before it was ready.`,
          ),
        );
      },
    };
    database = supervise(spec, { log, killAfterMs: 60_000 });
  });
}

async function prepareDatabase(url: string): Promise<{ applied: number; skipped: number }> {
  try {
    await ensureDatabase(url);
    const migrated = await migrate(url);
    // Today's and the week's day partitions of the logs and the usage ledger, before anything writes to
    // them (the metering worker keeps them ahead from here on).
    const sql = sqlWriter(createPgPool(url, 1));
    try {
      await ensureDayPartitions(sql);
    } finally {
      await sql.close();
    }
    return { applied: migrated.applied.length, skipped: migrated.skipped.length };
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    throw new StartupError(
      env.DATABASE_URL
        ? `Cannot prepare the database at DATABASE_URL (${first}): check that it is reachable and the user may create tables.`
        : `Cannot prepare the embedded database (${first}).`,
    );
  }
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // The gateway drains and flushes usage, so the database stops only after every service has.
  await Promise.all(services.map((child) => child.stop()));
  await database?.stop();
  echo?.close();
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('uncaughtException', (error) => {
  console.error(`[platform] stopping after an unexpected error: ${error.message.split('\n')[0]}`);
  void shutdown(1);
});
main().catch((error: unknown) => {
  if (stopping) return;
  console.error(`[platform] ${describeStartupFailure(error)}`);
  void shutdown(1);
});
