/**
 * `tsx bench/portal.ts [--runs=20] [--rebuild] [--database-url=postgresql://…/portcullis_portal_bench]`
 *
 * Server response times of the production portal with a large tenant: seeds a fresh database (1,000 APIs,
 * 100,000 hourly usage rollups with their daily and latency rollups (hourly and daily), 200,000 request
 * logs, 5,000 audit entries), starts `next start` (building first when there is no build, or with
 * --rebuild), signs in through next-auth's credentials endpoint and times each main page and the tRPC
 * queries behind it.
 * Writes bench-results/portal.{md,json}. The target: p95 under 300 ms.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import { hashPassword } from '@portcullis/services/password';
import pg from 'pg';
import superjson from 'superjson';
import { request } from 'undici';
import { REPO_ROOT } from './targets.ts';

const TARGET_MS = 300;
const EMAIL = 'bench@portcullis.bench';
const PASSWORD = 'bench-password-2026';
const PROVIDER = 'bench';
const CONSUMER = 'bench-apps';

/** Command-line options (the benchmark scripts take settings as flags or bench/env.ts; this one as flags). */
function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}
const RUNS = Math.max(1, Number(option('runs', '20')));
const DATABASE_URL = option('database-url', 'postgresql://postgres@127.0.0.1:5432/portcullis_portal_bench');
const REBUILD = process.argv.includes('--rebuild');

const log = (message: string) => process.stdout.write(`[portal-bench] ${message}\n`);

async function freshDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = new URL(DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);
}

/** Set-based SQL: the whole world is a few statements, seeded in seconds. */
async function seed(): Promise<{ subscriptionId: string; consumerSubscriptionId: string }> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const q = (sql: string, params: unknown[] = []) => client.query(sql, params);
  try {
    await q('BEGIN');
    await q(
      `INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt") VALUES ('buser', $1, 'Bench', $2, now())`,
      [EMAIL, await hashPassword(PASSWORD)],
    );
    await q(`INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES
      ('bprov', '${PROVIDER}', 'Bench Provider', now()), ('bcons', '${CONSUMER}', 'Bench Apps', now())`);
    await q(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES
      ('bm1', 'bprov', 'buser', 'OWNER'), ('bm2', 'bcons', 'buser', 'OWNER')`);
    await q(`INSERT INTO "Api" (id, "orgId", slug, name, description, "upstreamUrl", status, visibility, "publishedAt", tags, "updatedAt")
      SELECT 'bapi' || g, 'bprov', 'api-' || g, 'Bench API ' || g, 'An API seeded for the portal benchmark',
        'https://example.com/' || g, 'PUBLISHED', 'PUBLIC', now(), ARRAY['bench', 'tag' || (g % 20)], now()
      FROM generate_series(1, 1000) g`);
    await q(`INSERT INTO "Plan" (id, "apiId", name, "monthlyQuota", "requiresApproval", "updatedAt")
      SELECT 'bplan' || g, 'bapi' || g, 'Standard', 200000, false, now() FROM generate_series(1, 1000) g`);
    await q(`INSERT INTO "Organization" (id, slug, name, "updatedAt")
      SELECT 'borg' || g, 'bench-c-' || g, 'Consumer ' || g, now() FROM generate_series(1, 100) g`);
    await q(`INSERT INTO "App" (id, "orgId", name, "updatedAt")
      SELECT 'bapp' || g, CASE WHEN g = 0 THEN 'bcons' ELSE 'borg' || g END, 'App ' || g, now()
      FROM generate_series(0, 100) g`);
    // 990 subscriptions of the consumer orgs, one per API; 10 of the bench user's own consumer org.
    await q(`INSERT INTO "Subscription" (id, "appId", "planId", status, "currentPeriodStart", "updatedAt")
      SELECT 'bsub' || g, CASE WHEN g <= 10 THEN 'bapp0' ELSE 'bapp' || (1 + g % 100) END, 'bplan' || g,
        'ACTIVE', now() - interval '20 days', now()
      FROM generate_series(1, 1000) g`);
    // 100 hours per subscription spread over ~87 days: 100,000 hourly rollups.
    await q(`INSERT INTO "UsageRollup" (id, "subscriptionId", "bucketStart", "statusClass", requests, billable, "updatedAt")
      SELECT 'bur' || s.n || '-' || k, s.id,
        date_trunc('hour', now() - make_interval(hours => k * 21 + (s.n % 21))),
        CASE WHEN k % 10 = 0 THEN 5 ELSE 2 END, 1 + (s.n * 7 + k * 13) % 500,
        CASE WHEN k % 10 = 0 THEN 0 ELSE 1 + (s.n * 7 + k * 13) % 500 END, now()
      FROM (SELECT id, substr(id, 5)::int AS n FROM "Subscription") s, generate_series(0, 99) k`);
    await q(`INSERT INTO "UsageDailyRollup" (id, "subscriptionId", day, "statusClass", requests, billable, "updatedAt")
      SELECT gen_random_uuid()::text, "subscriptionId", "bucketStart"::date, "statusClass", sum(requests),
        sum(billable), now()
      FROM "UsageRollup" GROUP BY 2, 3, 4`);
    await q(`INSERT INTO "LatencyRollup" (id, "apiId", "subscriptionId", "bucketStart", counts, requests, errors, "updatedAt")
      SELECT gen_random_uuid()::text, p."apiId", r."subscriptionId", r."bucketStart",
        ARRAY[0, 0, r.requests / 2, r.requests / 4, r.requests / 8,
          r.requests - r.requests / 2 - r.requests / 4 - r.requests / 8, 0, 0, 0, 0, 0, 0, 0, 0]::int[],
        r.requests, CASE WHEN r."statusClass" = 5 THEN r.requests ELSE 0 END, now()
      FROM "UsageRollup" r JOIN "Subscription" s ON s.id = r."subscriptionId" JOIN "Plan" p ON p.id = s."planId"`);
    await q(`INSERT INTO "LatencyDailyRollup" (id, "apiId", "subscriptionId", day, counts, requests, errors, "updatedAt")
      SELECT gen_random_uuid()::text, "apiId", "subscriptionId", "bucketStart"::date,
        ARRAY[${Array.from({ length: 14 }, (_, i) => `sum(counts[${i + 1}])`).join(', ')}]::bigint[], sum(requests),
        sum(errors), now()
      FROM "LatencyRollup" GROUP BY 2, 3, 4`);
    // The provider's charts read the per-API histograms: the same rows summed over each API's callers.
    for (const [table, time] of [
      ['LatencyApiRollup', '"bucketStart"'],
      ['LatencyApiDailyRollup', 'day'],
    ] as const) {
      await q(`INSERT INTO "${table}" (id, "apiId", ${time}, counts, requests, errors, "updatedAt")
        SELECT gen_random_uuid()::text, "apiId", ${time === 'day' ? '"bucketStart"::date' : '"bucketStart"'},
          ARRAY[${Array.from({ length: 14 }, (_, i) => `sum(counts[${i + 1}])`).join(', ')}]::bigint[], sum(requests),
          sum(errors), now()
        FROM "LatencyRollup" GROUP BY 2, 3`);
    }
    await q(`INSERT INTO "RequestLog" (id, at, "orgId", "apiId", "appId", "subscriptionId", method, path, status,
        "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode")
      SELECT 'blog' || g, now() - make_interval(secs => g * 3), 'bprov', 'bapi' || (1 + g % 1000),
        CASE WHEN g % 1000 < 10 THEN 'bapp0' ELSE 'bapp' || (1 + (1 + g % 1000) % 100) END, 'bsub' || (1 + g % 1000),
        'GET', '/${PROVIDER}/api-' || (1 + g % 1000) || '/items/' || g,
        CASE WHEN g % 50 = 0 THEN 503 WHEN g % 20 = 0 THEN 429 ELSE 200 END, 5 + g % 200, 4 + g % 190,
        0, 512, '203.0.113.' || (g % 250), 'bench/1.0', CASE WHEN g % 20 = 0 THEN 'rate_limited' END
      FROM generate_series(1, 200000) g`);
    await q(`INSERT INTO "AuditLog" (id, "orgId", "actorId", action, "targetType", "targetId", after, at)
      SELECT 'baud' || g, 'bprov', 'buser', (ARRAY['api.create', 'api.update', 'plan.create', 'subscription.approve'])[1 + g % 4],
        'Api', 'bapi' || (1 + g % 1000), jsonb_build_object('n', g), now() - make_interval(mins => g)
      FROM generate_series(1, 5000) g`);
    await q('COMMIT');
    await q('ANALYZE');
    return { subscriptionId: 'bsub500', consumerSubscriptionId: 'bsub1' };
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}`)),
    );
  });
}

async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** next-auth v5 credentials sign-in over HTTP: CSRF token + cookie, then the callback sets the session. */
async function signIn(base: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  keep(csrf);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), origin: base },
    body: new URLSearchParams({
      email: EMAIL,
      password: PASSWORD,
      csrfToken,
      callbackUrl: `${base}/dashboard`,
    }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes('session-token'))) {
    throw new Error(`sign-in failed: ${res.status} ${res.headers.get('location')}`);
  }
  return cookie();
}

interface Probe {
  name: string;
  url: string;
}
interface Measured extends Probe {
  status: number;
  ttfb: { p50: number; p95: number; max: number };
  total: { p50: number; p95: number; max: number };
}

const trpc = (path: string, input: unknown, label = ''): Probe => ({
  name: `trpc ${path}${label ? ` (${label})` : ''}`,
  url: `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`,
});

function probes(ids: { subscriptionId: string; consumerSubscriptionId: string }): Array<[string, Probe[]]> {
  const now = Date.now();
  const days = (n: number) => ({ from: new Date(now - n * 86_400_000), to: new Date(now) });
  const p = { orgSlug: PROVIDER };
  const c = { orgSlug: CONSUMER };
  const provider = { ...p, side: 'provider' };
  const consumer = { ...c, side: 'consumer' };
  const page = (path: string) => ({ name: `page ${path}`, url: path });
  return [
    [
      'catalog',
      [
        page('/catalog'),
        trpc('catalog.list', {}),
        trpc('catalog.list', { q: 'api 5', page: 3 }, 'search, page 3'),
      ],
    ],
    ['org dashboard', [page(`/o/${PROVIDER}`), trpc('org.get', p)]],
    ['apis list', [page(`/o/${PROVIDER}/apis`), trpc('api.list', p)]],
    [
      'analytics',
      [
        page(`/o/${PROVIDER}/analytics`),
        trpc('analytics.scope', p),
        trpc('analytics.timeseries', { ...provider, ...days(7) }, 'provider, 7 d hourly'),
        trpc('analytics.timeseries', { ...provider, ...days(90) }, 'provider, 90 d daily'),
        trpc('analytics.timeseries', { ...provider, ...days(400) }, 'provider, 400 d daily'),
        trpc('analytics.top', { ...provider, ...days(7), limit: 10 }, '7 d'),
        trpc('analytics.top', { ...provider, ...days(90), limit: 10 }, '90 d'),
        trpc('analytics.quotaBurnDown', { ...provider, subscriptionId: ids.subscriptionId }, 'provider'),
        trpc('analytics.timeseries', { ...consumer, ...days(30) }, 'consumer, 30 d'),
        trpc(
          'analytics.quotaBurnDown',
          { ...consumer, subscriptionId: ids.consumerSubscriptionId },
          'consumer',
        ),
      ],
    ],
    [
      'logs',
      [
        page(`/o/${PROVIDER}/logs`),
        trpc('logs.list', { ...provider, limit: 50 }, 'provider'),
        trpc('logs.list', { ...provider, limit: 50, status: '5xx' }, 'status 5xx'),
        trpc('logs.list', { ...provider, limit: 50, pathPrefix: `/${PROVIDER}/api-7/` }, 'path prefix'),
        trpc('logs.list', { ...consumer, limit: 50 }, 'consumer'),
      ],
    ],
    [
      'billing',
      [
        page(`/o/${PROVIDER}/billing`),
        trpc('billing.consumerOverview', c),
        trpc('billing.invoices', { ...c, side: 'customer', page: 1, pageSize: 10 }),
        trpc('billing.providerRevenue', { ...p, months: 12 }),
        trpc('billing.topConsumers', { ...p, days: 30, limit: 10 }),
        trpc('billing.unpaidInvoices', p),
      ],
    ],
    ['audit', [page(`/o/${PROVIDER}/audit`), trpc('audit.list', { ...p, limit: 50 })]],
  ];
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1) ?? 0 };
};

/** Time to first byte (headers) and to the last byte, sequentially, after one untimed warm-up request. */
async function measure(base: string, cookie: string, probe: Probe): Promise<Measured> {
  const once = async () => {
    const started = performance.now();
    const res = await request(`${base}${probe.url}`, { headers: { cookie } });
    const ttfb = performance.now() - started;
    await res.body.text();
    return { status: res.statusCode, ttfb, total: performance.now() - started };
  };
  const warm = await once();
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once());
  return {
    ...probe,
    status: warm.status,
    ttfb: summary(samples.map((s) => s.ttfb)),
    total: summary(samples.map((s) => s.total)),
  };
}

function render(results: Array<[string, Measured[]]>, meta: Record<string, unknown>): string {
  const f = (n: number) => n.toFixed(1);
  const lines = [
    '# Portal server response times',
    '',
    `${String(meta.date)} · ${String(meta.cpus)} · load average ${String(meta.loadBefore)} before, ${String(meta.loadAfter)} after · ${RUNS} sequential runs per row after a warm-up · production build (\`next start\`)`,
    '',
    'Seed: 1,000 APIs, 1,000 subscriptions, 100,000 hourly usage rollups (+ daily and latency rollups), 200,000 request logs, 5,000 audit entries.',
    `Target: p95 under ${TARGET_MS} ms. TTFB = response headers; total = last byte.`,
    '',
    '| page | request | status | TTFB p50 | TTFB p95 | total p50 | total p95 | max | ≤ 300 ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const [pageName, rows] of results) {
    for (const r of rows) {
      const pass = r.status === 200 && r.total.p95 <= TARGET_MS;
      lines.push(
        `| ${pageName} | \`${r.name}\` | ${r.status} | ${f(r.ttfb.p50)} | ${f(r.ttfb.p95)} | ${f(r.total.p50)} | ${f(r.total.p95)} | ${f(r.total.max)} | ${pass ? 'yes' : '**no**'} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  log(`fresh database ${new URL(DATABASE_URL).pathname.slice(1)}`);
  await freshDatabase();
  const seededAt = performance.now();
  const ids = await seed();
  log(`seeded in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL,
    AUTH_SECRET: randomBytes(32).toString('hex'),
    AUTH_URL: base,
    AUTH_TRUST_HOST: 'true',
    PORTCULLIS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const nextBin = join(REPO_ROOT, 'node_modules/next/dist/bin/next');
  if (REBUILD || !existsSync(join(REPO_ROOT, 'apps/portal/.next/BUILD_ID'))) {
    log('building the portal (next build)…');
    await runToEnd([nextBin, 'build', 'apps/portal'], env);
  }
  const portal: ChildProcess = spawn(
    process.execPath,
    [nextBin, 'start', 'apps/portal', '-p', String(port), '-H', '127.0.0.1'],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await waitHttp(`${base}/signin`);
    const cookie = await signIn(base);
    log(`signed in; ${RUNS} runs per request`);
    // The machine may be shared: the load average says how much the figures are worth.
    const loadBefore = loadavg()[0]?.toFixed(2);
    const results: Array<[string, Measured[]]> = [];
    for (const [pageName, list] of probes(ids)) {
      const rows: Measured[] = [];
      for (const probe of list) {
        const row = await measure(base, cookie, probe);
        log(
          `${pageName} · ${row.name}: ${row.status}, p50 ${row.total.p50.toFixed(1)} ms, p95 ${row.total.p95.toFixed(1)} ms`,
        );
        rows.push(row);
      }
      results.push([pageName, rows]);
    }
    const meta = {
      date: new Date().toISOString(),
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
      runs: RUNS,
      loadBefore,
      loadAfter: loadavg()[0]?.toFixed(2),
    };
    const dir = join(REPO_ROOT, 'bench-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'portal.json'),
      `${JSON.stringify({ meta, targetMs: TARGET_MS, results }, null, 2)}\n`,
    );
    writeFileSync(join(dir, 'portal.md'), render(results, meta));
    log(`wrote ${join(dir, 'portal.md')}`);
  } finally {
    portal.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
