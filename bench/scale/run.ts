import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Db } from '@portcullis/db';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import pg from 'pg';
import { z } from 'zod';
import { GATEWAY_CAPPED_NODE_FLAGS, GATEWAY_CAPPED_OLD_SPACE_MB, GATEWAY_NODE_FLAGS } from '../targets.ts';
import { generateUsageLedger, ingestRow, measureIngest } from './ingest.ts';
import {
  findPartitionMaintenance,
  type PartitionMaintenance,
  preparePartitions,
  rowsInDefault,
} from './partitions.ts';
import {
  type Generated,
  generateAiCalls,
  generateRequestLogs,
  measureAiCallExplorer,
  measureRequestLogExplorer,
} from './request-logs.ts';
import { measureLedgerRetention, measureLogRetention } from './retention.ts';
import { DAY_MS, dayStart, seedScenario } from './scenario.ts';
import {
  errorRow,
  externalRows,
  failures,
  parseSizes,
  renderScaleTable,
  type ScaleRow,
  sizeLabel,
} from './table.ts';

/**
 * `npm run bench:scale`: the product's query, retention and ingest code against generated data of
 * 1M / 5M / 20M request-log rows (BENCH_SCALE_SIZES), each size in a scratch database of its own
 * (created, migrated with packages/db's migrations, dropped), one table of figures beside their targets.
 * The method: docs/benchmark.md, "Data-scale benchmark".
 */

const PARTS = ['requests', 'ai', 'ingest', 'retention', 'analytics', 'gateway-memory', 'metrics'] as const;
type Part = (typeof PARTS)[number];

const ZScaleEnv = z.object({
  /** The server the scratch databases are made on (its own database is not touched). */
  BENCH_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .default('postgresql://postgres@127.0.0.1:5432/portcullis_bench'),
  /** Request-log rows per run, comma-separated: 1m,5m,20m (k and m suffixes, or plain counts). */
  BENCH_SCALE_SIZES: z.string().default('1m,5m'),
  /** Days the generated rows spread over. */
  BENCH_SCALE_DAYS: z.coerce.number().int().min(3).max(90).default(30),
  /** Comma-separated subset of the parts (default all). */
  BENCH_SCALE_PARTS: z.string().default(PARTS.join(',')),
  /** Timed calls per figure (after one untimed call); every figure is their median. */
  BENCH_RUNS: z.coerce.number().int().min(1).max(9).default(3),
  /** AI call-log rows as a fraction of the request-log rows. */
  BENCH_SCALE_AI_RATIO: z.coerce.number().min(0.001).max(1).default(0.1),
  /** Analytics data: days × APIs × subscriptions. */
  BENCH_SCALE_ANALYTICS_DAYS: z.coerce.number().int().min(1).max(400).default(365),
  BENCH_SCALE_ANALYTICS_APIS: z.coerce.number().int().min(1).max(10_000).default(200),
  BENCH_SCALE_ANALYTICS_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** Gateway memory: keys it knows, and unknown keys presented to it. */
  BENCH_SCALE_GATEWAY_KEYS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  BENCH_SCALE_UNKNOWN_KEYS: z.coerce.number().int().min(0).max(10_000_000).default(50_000),
  /** Metrics scrape: APIs with series. */
  BENCH_SCALE_METRICS_APIS: z.coerce.number().int().min(1).max(100_000).default(10_000),
});

function readScaleEnv(source: NodeJS.ProcessEnv = process.env) {
  const parsed = ZScaleEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${String(issue?.path[0])}: ${issue?.message ?? 'is invalid'}`);
  }
  const env = parsed.data;
  const parts = env.BENCH_SCALE_PARTS.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new Error(
      `Invalid configuration: BENCH_SCALE_PARTS: unknown ${unknown.join(', ')} (use ${PARTS.join(', ')})`,
    );
  }
  let sizes: number[];
  try {
    sizes = parseSizes(env.BENCH_SCALE_SIZES);
  } catch (error) {
    throw new Error(`Invalid configuration: BENCH_SCALE_SIZES: ${(error as Error).message}`);
  }
  return {
    ...env,
    serverUrl: env.BENCH_DATABASE_URL ?? env.DATABASE_URL,
    sizes,
    parts: new Set(parts as Part[]),
  };
}

type ScaleEnv = ReturnType<typeof readScaleEnv>;

/** Ingest counts as independent of the ledger's size when the large ledger keeps this much of the rate. */
const LEDGER_INDEPENDENCE_PERCENT = 80;

const log = (line: string) => process.stdout.write(`${line}\n`);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function adminUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  return url.toString();
}

/** A fresh database next to the configured one, migrated; its URL. */
async function createScratch(serverUrl: string, label: string): Promise<string> {
  const url = new URL(serverUrl);
  const base = decodeURIComponent(url.pathname.slice(1)) || 'portcullis_bench';
  url.pathname = `/${base}_${label}_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(url.toString());
  await migrate(url.toString());
  return url.toString();
}

async function dropScratch(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const client = new pg.Client({ connectionString: adminUrl(url) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

interface Scratch {
  url: string;
  db: Db;
  sql: SqlWriter;
}

/** Scratch databases in use: an interrupted bench (Ctrl-C, SIGTERM) drops them before it exits. */
const liveScratch = new Set<string>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: dropping the scratch databases`);
    void Promise.allSettled([...liveScratch].map(dropScratch)).then(() => process.exit(130));
  });
}

/** `fn` against a scratch database that is dropped afterwards, whatever happens. */
async function withScratch<T>(
  env: ScaleEnv,
  label: string,
  fn: (scratch: Scratch) => Promise<T>,
): Promise<T> {
  const url = await createScratch(env.serverUrl, label);
  liveScratch.add(url);
  log(`scratch database ${new URL(url).pathname.slice(1)} (migrated)`);
  const db = createDb(url, 4);
  const sql = sqlWriter(createPgPool(url, 2));
  try {
    return await fn({ url, db, sql });
  } finally {
    await db.$disconnect();
    await sql.close();
    await dropScratch(url);
    liveScratch.delete(url);
  }
}

const generationRow = (what: string, size: string, seconds: number, note?: string): ScaleRow => ({
  measure: `generation: ${what}`,
  size,
  value: seconds,
  unit: 's',
  ...(note ? { note } : {}),
});

/** Everything measured at one request-log size. */
async function runSize(
  env: ScaleEnv,
  rows: number,
  maintenance: PartitionMaintenance | null,
): Promise<ScaleRow[]> {
  const size = `${sizeLabel(rows)} rows`;
  log(`\n== ${size} ==`);
  return withScratch(env, `scale_${sizeLabel(rows).replace('.', '_')}`, async ({ db, sql }) => {
    const out: ScaleRow[] = [];
    const has = (part: Part) => env.parts.has(part);
    const scenario = await seedScenario(db, env.BENCH_SCALE_DAYS);
    const tables = ['RequestLog', 'AiCallLog', 'UsageEvent'];
    const range = { from: dayStart(scenario, 0), to: new Date(scenario.end.getTime() + DAY_MS) };
    for (const note of await preparePartitions(sql, tables, range, maintenance)) log(`  ${note}`);

    let emptyRate: number | undefined;
    if (has('ingest')) {
      emptyRate = await measureIngest(db, scenario, env.BENCH_RUNS);
      log(`  ingest at an empty ledger: ${emptyRate.toFixed(0)} events/s`);
    }
    const logsWanted = has('requests') || has('retention');
    const requestLogs = logsWanted ? await generateRequestLogs(sql, scenario, rows, log) : undefined;
    const aiRows = Math.max(1_000, Math.round(rows * env.BENCH_SCALE_AI_RATIO));
    const aiCalls: Generated | undefined =
      has('ai') || has('retention') ? await generateAiCalls(sql, scenario, aiRows, log) : undefined;
    const ledgerWanted = has('ingest') || has('retention');
    const ledgerSeconds = ledgerWanted ? await generateUsageLedger(sql, scenario, rows, log) : undefined;
    for (const generated of [requestLogs, aiCalls]) {
      if (!generated) continue;
      const inDefault = await rowsInDefault(sql, generated.table);
      out.push(
        generationRow(
          `${generated.table} (${sizeLabel(generated.rows)}, ${scenario.days} days)`,
          size,
          generated.seconds,
          inDefault > 0 ? `${inDefault.toLocaleString('en-US')} rows in the DEFAULT partition` : undefined,
        ),
      );
    }
    if (ledgerSeconds !== undefined) {
      const inDefault = await rowsInDefault(sql, 'UsageEvent');
      out.push(
        generationRow(
          `UsageEvent ledger (${sizeLabel(rows)})`,
          size,
          ledgerSeconds,
          inDefault > 0 ? `${inDefault.toLocaleString('en-US')} rows in the DEFAULT partition` : undefined,
        ),
      );
    }

    if (has('requests') && requestLogs) {
      log('  measuring the request log explorer');
      out.push(...(await measureRequestLogExplorer(db, sql, scenario, requestLogs, env.BENCH_RUNS)));
    }
    if (has('ai') && aiCalls) {
      log('  measuring the AI call log explorer');
      out.push(...(await measureAiCallExplorer(db, sql, scenario, aiCalls, env.BENCH_RUNS)));
    }
    if (has('ingest') && emptyRate !== undefined) {
      const large = await measureIngest(db, scenario, env.BENCH_RUNS);
      log(`  ingest at a ${sizeLabel(rows)}-row ledger: ${large.toFixed(0)} events/s`);
      const perRun = '100,000 events per run';
      out.push(
        ingestRow('empty ledger', emptyRate, perRun),
        ingestRow(`${sizeLabel(rows)}-row ledger`, large, perRun),
        {
          measure: 'metering ingest at the large ledger, as % of the empty-ledger rate',
          size: `${sizeLabel(rows)}-row ledger`,
          value: (100 * large) / emptyRate,
          unit: '%',
          target: { op: '>=', limit: LEDGER_INDEPENDENCE_PERCENT },
        },
      );
    }
    if (has('retention') && requestLogs && aiCalls) {
      log('  measuring retention');
      out.push(...(await measureLogRetention(sql, scenario, size, env.BENCH_RUNS)));
      const ledger = `${sizeLabel(rows)}-row ledger`;
      out.push(...(await measureLedgerRetention(db, sql, scenario, ledger, env.BENCH_RUNS)));
    }
    return out;
  });
}

const moduleUrl = (file: string) => new URL(file, import.meta.url);
const moduleExists = (file: string) => existsSync(fileURLToPath(moduleUrl(file)));
const notMeasured = (part: string, note: string): ScaleRow[] => [
  { measure: part, size: '', value: null, unit: '', note },
];
const missingModule = (part: string, file: string) =>
  notMeasured(part, `not measured: module missing (bench/scale/${file.slice(2)})`);

type Entry = (...args: unknown[]) => Promise<unknown>;

/**
 * A measurement module written apart from this driver, loaded at run time: `run` calls its entry
 * points, whose result becomes table rows (externalRows); a missing export is reported as not measured.
 */
async function external(
  part: string,
  file: string,
  exports: readonly string[],
  run: (entries: Record<string, Entry>) => Promise<unknown>,
): Promise<ScaleRow[]> {
  return attempt(part, '', async () => {
    const module = (await import(moduleUrl(file).href)) as Record<string, unknown>;
    const absent = exports.filter((name) => typeof module[name] !== 'function');
    if (absent.length > 0) {
      return notMeasured(part, `not measured: bench/scale/${file.slice(2)} exports no ${absent.join(', ')}`);
    }
    return externalRows(part, await run(module as Record<string, Entry>));
  });
}

/** Targets of the figures the gateway-memory and metrics modules return as plain numbers. */
const GATEWAY_MEMORY = 'gateway memory';
const GATEWAY_MEMORY_CAPPED = `gateway memory, old space capped at ${GATEWAY_CAPPED_OLD_SPACE_MB} MB`;
const EXTERNAL_TARGETS: Record<string, ScaleRow['target']> = {
  [`${GATEWAY_MEMORY}: rssSettledBytes`]: { op: '<=', limit: 200 },
  [`${GATEWAY_MEMORY}: peakRssBytes`]: { op: '<=', limit: 200 },
  [`${GATEWAY_MEMORY_CAPPED}: rssSettledBytes`]: { op: '<=', limit: 200 },
  [`${GATEWAY_MEMORY_CAPPED}: peakRssBytes`]: { op: '<=', limit: 200 },
  'metrics scrape: bytes': { op: '<=', limit: 1 },
  'metrics scrape: scrapeMs': { op: '<=', limit: 100 },
};

const withTargets = (rows: ScaleRow[]): ScaleRow[] =>
  rows.map((row) => {
    const target = EXTERNAL_TARGETS[row.measure];
    return target && !row.target ? { ...row, target } : row;
  });

async function runExternal(env: ScaleEnv): Promise<ScaleRow[]> {
  const out: ScaleRow[] = [];
  if (env.parts.has('analytics')) {
    const size = {
      days: env.BENCH_SCALE_ANALYTICS_DAYS,
      apis: env.BENCH_SCALE_ANALYTICS_APIS,
      subscriptions: env.BENCH_SCALE_ANALYTICS_SUBSCRIPTIONS,
    };
    const file = './analytics.ts';
    if (!moduleExists(file)) out.push(...missingModule('analytics', file));
    else {
      log(`\n== analytics: ${size.days} days × ${size.apis} APIs × ${size.subscriptions} subscriptions ==`);
      out.push(
        ...(await attempt('analytics', '', () =>
          withScratch(env, 'scale_analytics', ({ db }) =>
            external('analytics', file, ['generateAnalyticsData', 'measureAnalytics'], async (m) => {
              const started = performance.now();
              const generated = await (m.generateAnalyticsData as Entry)(db, size, log);
              log(`  analytics data generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
              return (m.measureAnalytics as Entry)(db, generated, { runs: env.BENCH_RUNS, log });
            }),
          ),
        )),
      );
    }
  }
  if (env.parts.has('gateway-memory')) {
    const file = './gateway-memory.ts';
    if (!moduleExists(file)) out.push(...missingModule('gateway memory', file));
    else {
      // The default profile (speed) and the memory profile (old space capped), as `npm run bench` compares.
      for (const [label, nodeFlags] of [
        [GATEWAY_MEMORY, GATEWAY_NODE_FLAGS],
        [GATEWAY_MEMORY_CAPPED, GATEWAY_CAPPED_NODE_FLAGS],
      ] as const) {
        log(`\n== ${label} ==`);
        out.push(
          ...withTargets(
            await external(label, file, ['measureGatewayMemory'], (m) =>
              (m.measureGatewayMemory as Entry)({
                keys: env.BENCH_SCALE_GATEWAY_KEYS,
                unknownKeys: env.BENCH_SCALE_UNKNOWN_KEYS,
                nodeFlags,
              }),
            ),
          ),
        );
      }
    }
  }
  if (env.parts.has('metrics')) {
    const file = './metrics.ts';
    if (!moduleExists(file)) out.push(...missingModule('metrics scrape', file));
    else {
      log('\n== metrics scrape ==');
      out.push(
        ...withTargets(
          await external('metrics scrape', file, ['measureMetricsScrape'], (m) =>
            (m.measureMetricsScrape as Entry)({ apis: env.BENCH_SCALE_METRICS_APIS }),
          ),
        ),
      );
    }
  }
  return out;
}

async function main(): Promise<void> {
  const env = readScaleEnv();
  const maintenance = await findPartitionMaintenance();
  log(
    `data-scale benchmark: sizes ${env.sizes.map(sizeLabel).join(', ')}; parts ${[...env.parts].join(', ')}; ` +
      `${env.BENCH_RUNS} timed run(s) per figure after one untimed, medians reported; ` +
      `partition maintenance: ${maintenance ? maintenance.source : 'none found (DEFAULT partition if partitioned)'}`,
  );
  const rows: ScaleRow[] = [];
  const dataParts: Part[] = ['requests', 'ai', 'ingest', 'retention'];
  if (dataParts.some((part) => env.parts.has(part))) {
    for (const size of env.sizes) {
      rows.push(
        ...(await attempt(`size ${sizeLabel(size)}`, `${sizeLabel(size)} rows`, () =>
          runSize(env, size, maintenance),
        )),
      );
    }
  }
  rows.push(...(await runExternal(env)));
  const errors = rows.filter((r) => r.error !== undefined).length;
  const markdown = [
    `# Data-scale benchmark — ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}); ` +
      `every timed figure the median of ${env.BENCH_RUNS} run(s) after one untimed run.`,
    '',
    renderScaleTable(rows),
    `${failures(rows)} of ${rows.filter((r) => r.target && r.value !== null).length} figures with a target FAIL` +
      `${errors > 0 ? `; ${errors} part(s) ended in an ERROR` : ''}.`,
    '',
  ].join('\n');
  const dir = join(REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'scale-latest.md'), markdown);
  process.stdout.write(`\n${markdown}`);
  if (errors > 0) process.exitCode = 1;
}

/** A part of the run whose failure is reported in the table (stack on stderr) instead of ending the run. */
async function attempt(measure: string, size: string, fn: () => Promise<ScaleRow[]>): Promise<ScaleRow[]> {
  try {
    return await fn();
  } catch (error) {
    process.stderr.write(
      `${measure}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return [errorRow(measure, size, error)];
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
