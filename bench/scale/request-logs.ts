import { csvCell, toCsv } from '@portcullis/billing/csv';
import type { Db } from '@portcullis/db';
import type { SqlRunner } from '@portcullis/db/pg';
import { aiUsageSummary, listAiCalls } from '@portcullis/services/verbs/ai-calls';
import type { OrgCtx } from '@portcullis/services/verbs/context';
import {
  listRequestLogs,
  REQUEST_LOG_CSV_HEADER,
  type RequestLogListInput,
  requestLogExport,
} from '@portcullis/services/verbs/request-logs';
import { DAY_MS, dayStart, insertByDay, type Scenario, sqlTextArray } from './scenario.ts';
import { type ScaleRow, sizeLabel, timeMedianMs } from './table.ts';

/**
 * Request-log and AI-call-log rows made by generate_series, one INSERT … SELECT per day through the
 * parent table, and the explorer measured through the product's verbs (packages/services).
 *
 * Of every 5 rows, 1 belongs to one of 10 noise orgs and 4 to the measured provider org, whose rows are
 * spread over its 20 APIs, 200 keys and 1,000 consumer apps; 30 % of all rows (noise included) come
 * from the measured consumer org's 3 apps. Statuses: 94 % 200, 4 % 404, 1 % 429, 1 % 503. One row in
 * 10,000 has a path under /v1/rare/ (the rare path prefix). Rows are spaced evenly through each day.
 */

const PROVIDER_SHARE = 0.8;
const NOISE_ORGS = 10;
/** The provider-side key the key filter looks for: 1 of the 200 keys. */
const FILTER_KEY_ID = 'key_7';
const RARE_PREFIX = '/v1/rare/';
/** An explorer query's target, and the CSV export's. */
const EXPLORER_TARGET_MS = 200;
const EXPORT_TARGET_MS = 1_000;
/** The rows the export target is stated for (the export's cap, MAX_EXPORT_ROWS). */
const EXPORT_ROWS = 50_000;

/**
 * Three multiplicative hashes of the row number g (h, k, s; each g × a constant mod a prime below 2^32)
 * pick the row's attributes, independently of each other and of the row's place in time: h the API and
 * the figures, k the app, key and subscription, s the status, method and path.
 */
const HASHES = `
      LATERAL (SELECT (g * 2654435761) % 4294967291 AS h, (g * 2246822519) % 4294967279 AS k,
        (g * 3266489917) % 4294967231 AS s) AS hashed`;

function requestLogInsert(scenario: Scenario): string {
  const apis = sqlTextArray(scenario.apiIds);
  const apps = sqlTextArray(scenario.appIds);
  return `
    INSERT INTO "RequestLog" (id, at, "orgId", "apiId", "appId", "keyId", "subscriptionId", method, path,
      status, "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode")
    SELECT 'rl' || g, $3::timestamp(3) + ((g - $1) * $4::float8) * interval '1 millisecond',
      CASE WHEN noise THEN 'noise_org_' || (h % ${NOISE_ORGS}) ELSE '${scenario.providerOrgId}' END,
      CASE WHEN noise THEN 'noise_api_' || (h % 50) ELSE (${apis})[1 + h % ${scenario.apiIds.length}] END,
      CASE WHEN k % 10 < 3 THEN (${apps})[1 + (k / 10) % ${scenario.appIds.length}]
           ELSE 'app_' || (k / 10) % 1000 END,
      CASE WHEN k % 10 < 3 THEN 'ckey_' || (k / 10) % ${scenario.appIds.length}
           ELSE 'key_' || (k / 10000) % 200 END,
      'sub_' || (k / 10) % 1000,
      CASE WHEN (s / 100) % 10 = 0 THEN 'POST' ELSE 'GET' END,
      CASE WHEN (s / 1000) % 10000 = 0 THEN '${RARE_PREFIX}' || g ELSE '/v1/items/' || (s / 1000) % 5000 END,
      status, 5 + h % 200, 3 + h % 200, 200, 500 + (h / 200) % 2000,
      '10.0.' || (h % 250) || '.' || (h / 250) % 250, 'scale-bench/1.0',
      CASE status WHEN 503 THEN 'upstream_unavailable' WHEN 429 THEN 'rate_limited' ELSE NULL END
    FROM generate_series($1::bigint, $2::bigint) AS g,${HASHES},
      LATERAL (SELECT g % 5 = 0 AS noise,
        CASE WHEN s % 100 = 0 THEN 503 WHEN s % 100 < 5 THEN 404 WHEN s % 100 < 6 THEN 429 ELSE 200 END
          AS status) AS picked`;
}

function aiCallInsert(scenario: Scenario): string {
  // The provider's first 5 APIs serve AI; 6 models; 1 call in 100 logged its bodies.
  const apis = sqlTextArray(scenario.apiIds.slice(0, 5));
  const models = sqlTextArray([
    'gpt-4o',
    'gpt-4o-mini',
    'claude-sonnet',
    'claude-haiku',
    'llama-70b',
    'embed-3',
  ]);
  return `
    INSERT INTO "AiCallLog" (id, at, "orgId", "apiId", "subscriptionId", "appId", "keyId", "requestId",
      surface, model, provider, "providerModel", status, "errorCode", stream, "tokensIn", "tokensOut",
      "costMicros", "latencyMs", "ttftMs", "requestBody", "responseBody")
    SELECT 'ai' || g, $3::timestamp(3) + ((g - $1) * $4::float8) * interval '1 millisecond',
      CASE WHEN g % 5 = 0 THEN 'noise_org_' || (h % ${NOISE_ORGS}) ELSE '${scenario.providerOrgId}' END,
      CASE WHEN g % 5 = 0 THEN 'noise_api_' || (h % 50) ELSE (${apis})[1 + h % 5] END,
      'sub_' || (k / 10) % 1000, 'app_' || (k / 10) % 1000, 'key_' || (k / 10000) % 200, 'req' || g,
      CASE WHEN (h / 5) % 6 = 5 THEN 'embeddings' ELSE 'chat' END,
      (${models})[1 + (h / 5) % 6], 'openai', (${models})[1 + (h / 5) % 6],
      status, CASE WHEN status >= 500 THEN 'provider_error' ELSE NULL END, (s / 100) % 2 = 0,
      50 + (h / 30) % 2000, 20 + (k / 7) % 800, (h / 60) % 5000, 200 + (k / 1000) % 3000,
      CASE WHEN (s / 100) % 2 = 0 THEN 80 + (s / 200) % 400 ELSE NULL END,
      CASE WHEN (s / 1000) % 100 = 0 THEN '{"messages":[{"role":"user","content":"hello"}]}' ELSE NULL END,
      CASE WHEN (s / 1000) % 100 = 0 THEN '{"choices":[{"message":{"content":"hi"}}]}' ELSE NULL END
    FROM generate_series($1::bigint, $2::bigint) AS g,${HASHES},
      LATERAL (SELECT CASE WHEN s % 100 = 0 THEN 502 WHEN s % 100 < 3 THEN 429 ELSE 200 END AS status) AS picked`;
}

export interface Generated {
  table: string;
  rows: number;
  seconds: number;
}

/** `rows` rows into `table`, one INSERT per day of the scenario's window, then ANALYZE. */
async function generate(
  sql: SqlRunner,
  scenario: Scenario,
  table: 'RequestLog' | 'AiCallLog',
  rows: number,
  log: (line: string) => void,
): Promise<Generated> {
  const insert = table === 'RequestLog' ? requestLogInsert(scenario) : aiCallInsert(scenario);
  const seconds = await insertByDay(sql, scenario, table, rows, insert, log);
  return { table, rows, seconds };
}

export const generateRequestLogs = (
  sql: SqlRunner,
  scenario: Scenario,
  rows: number,
  log: (l: string) => void,
) => generate(sql, scenario, 'RequestLog', rows, log);
/**
 * The AI call log, and its daily usage (AiUsageDailyRollup) summed from it as the gateway's writer keeps
 * them: the generation time includes both.
 */
export async function generateAiCalls(
  sql: SqlRunner,
  scenario: Scenario,
  rows: number,
  log: (l: string) => void,
): Promise<Generated> {
  const generated = await generate(sql, scenario, 'AiCallLog', rows, log);
  const started = performance.now();
  await sql.execute(`
    INSERT INTO "AiUsageDailyRollup" ("orgId", day, "apiId", model, calls, errors, "tokensIn", "tokensOut",
      "costMicros", "updatedAt")
    SELECT "orgId", at::date, "apiId", model, count(*), count(*) FILTER (WHERE status >= 400), sum("tokensIn"),
      sum("tokensOut"), sum("costMicros"), now()
    FROM "AiCallLog" GROUP BY 1, 2, 3, 4`);
  await sql.execute('ANALYZE "AiUsageDailyRollup"');
  return { ...generated, seconds: generated.seconds + (performance.now() - started) / 1000 };
}

/** The (at, id) a client holds after paging back to the middle of the window: a deep page's cursor. */
async function middleCursor(
  sql: SqlRunner,
  table: string,
  column: 'orgId' | 'appId',
  ids: string[],
  before: Date,
) {
  // The column is a UTC timestamp without zone: read as epoch ms, whatever this process's time zone.
  const [row] = await sql.rows<{ ms: string; id: string }>(
    `SELECT (extract(epoch FROM at) * 1000)::bigint AS ms, id FROM "${table}"
     WHERE "${column}" = ANY($1::text[]) AND at < $2::timestamp(3)
     ORDER BY at DESC, id DESC LIMIT 1`,
    [ids, before.toISOString()],
  );
  if (!row) throw new Error(`no ${table} row before ${before.toISOString()}: the generator wrote nothing`);
  return { at: new Date(Number(row.ms)), id: row.id };
}

const explorerRow = (measure: string, size: string, ms: number, note?: string): ScaleRow => ({
  measure,
  size,
  value: ms,
  unit: 'ms',
  target: { op: '<=', limit: EXPLORER_TARGET_MS },
  ...(note ? { note } : {}),
});

/**
 * Each explorer query (page of 50, the portal's page size) as the median of `runs` calls after one
 * untimed call; and the CSV export of EXPORT_ROWS rows: the verb's batches, each row made a CSV line
 * with the product's csvCell, as the portal's route streams it.
 */
export async function measureRequestLogExplorer(
  db: Db,
  sql: SqlRunner,
  scenario: Scenario,
  generated: Generated,
  runs: number,
): Promise<ScaleRow[]> {
  const size = `${sizeLabel(generated.rows)} rows`;
  const provider: OrgCtx = { db, actor: { id: scenario.actorId }, org: { id: scenario.providerOrgId } };
  const consumer: OrgCtx = {
    db,
    actor: { id: scenario.consumerActorId },
    org: { id: scenario.consumerOrgId },
  };
  const middle = dayStart(scenario, Math.floor(scenario.days / 2));
  const providerCursor = await middleCursor(sql, 'RequestLog', 'orgId', [scenario.providerOrgId], middle);
  const consumerCursor = await middleCursor(sql, 'RequestLog', 'appId', scenario.appIds, middle);
  const dayFrom = dayStart(scenario, 10);
  const dayTo = dayStart(scenario, 11);
  const queries: Array<[string, OrgCtx, RequestLogListInput]> = [
    ['request log: page 1', provider, { side: 'provider' }],
    ['request log: deep page (cursor mid-window)', provider, { side: 'provider', cursor: providerCursor }],
    ['request log: status class 5xx', provider, { side: 'provider', status: '5xx' }],
    ['request log: one key', provider, { side: 'provider', keyId: FILTER_KEY_ID }],
    ['request log: one API', provider, { side: 'provider', apiId: scenario.apiIds[3] }],
    ['request log: rare path prefix', provider, { side: 'provider', pathPrefix: RARE_PREFIX }],
    ['request log: one day (date range)', provider, { side: 'provider', from: dayFrom, to: dayTo }],
    [
      'request log: 5xx within one day',
      provider,
      { side: 'provider', status: '5xx', from: dayFrom, to: dayTo },
    ],
    ['request log: consumer side (3 apps), page 1', consumer, { side: 'consumer' }],
    ['request log: consumer side, deep page', consumer, { side: 'consumer', cursor: consumerCursor }],
  ];
  const rows: ScaleRow[] = [];
  for (const [measure, ctx, input] of queries) {
    let found = 0;
    const ms = await timeMedianMs(runs, async () => {
      found = (await listRequestLogs(ctx, input)).rows.length;
    });
    rows.push(explorerRow(measure, size, ms, found < 50 ? `${found} rows on the page` : undefined));
  }

  // The export window: whole days back from the end, enough of them to hold EXPORT_ROWS provider rows.
  const providerPerDay = (generated.rows * PROVIDER_SHARE) / scenario.days;
  const exportDays = Math.min(scenario.days, Math.max(1, Math.ceil(EXPORT_ROWS / providerPerDay)));
  const exportFrom = dayStart(scenario, scenario.days - exportDays);
  let exported = 0;
  let bytes = 0;
  const exportMs = await timeMedianMs(runs, async () => {
    exported = 0;
    bytes = toCsv(REQUEST_LOG_CSV_HEADER, []).length;
    const batches = requestLogExport(provider, { side: 'provider', from: exportFrom, to: scenario.end });
    for await (const batch of batches) {
      exported += batch.length;
      bytes += batch.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('').length;
    }
  });
  rows.push({
    measure: `CSV export (${exportDays === 1 ? 'one day' : `${exportDays} days`})`,
    size,
    value: exportMs,
    unit: 'ms',
    target: { op: '<=', limit: EXPORT_TARGET_MS },
    note: `${exported.toLocaleString('en-US')} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB of CSV`,
  });
  return rows;
}

/** The AI call log explorer: a page of 50 by each filter, and the 30-day usage summary. */
export async function measureAiCallExplorer(
  db: Db,
  sql: SqlRunner,
  scenario: Scenario,
  generated: Generated,
  runs: number,
): Promise<ScaleRow[]> {
  const size = `${sizeLabel(generated.rows)} AI calls`;
  const ctx: OrgCtx = { db, actor: { id: scenario.actorId }, org: { id: scenario.providerOrgId } };
  const middle = dayStart(scenario, Math.floor(scenario.days / 2));
  const cursor = await middleCursor(sql, 'AiCallLog', 'orgId', [scenario.providerOrgId], middle);
  const from = dayStart(scenario, 10);
  const to = dayStart(scenario, 11);
  const queries: Array<[string, Parameters<typeof listAiCalls>[1]]> = [
    ['AI call log: page 1', {}],
    ['AI call log: deep page (cursor mid-window)', { cursor }],
    ['AI call log: one API', { apiId: scenario.apiIds[2] }],
    ['AI call log: one model', { model: 'claude-haiku' }],
    ['AI call log: status class 5xx', { status: '5xx' }],
    ['AI call log: one day (date range)', { from, to }],
  ];
  const rows: ScaleRow[] = [];
  for (const [measure, input] of queries) {
    let found = 0;
    const ms = await timeMedianMs(runs, async () => {
      found = (await listAiCalls(ctx, input)).items.length;
    });
    rows.push(explorerRow(measure, size, ms, found < 50 ? `${found} rows on the page` : undefined));
  }
  // Ending mid-day, as a range ending now does: the partial days at both edges are read from the log.
  const halfDay = DAY_MS / 2;
  const summaryMs = await timeMedianMs(runs, async () => {
    await aiUsageSummary(ctx, {
      from: new Date(dayStart(scenario, 0).getTime() + halfDay),
      to: new Date(scenario.end.getTime() - halfDay),
    });
  });
  rows.push(
    explorerRow(`AI usage summary (${scenario.days - 1} days, half-days at both ends)`, size, summaryMs),
  );
  return rows;
}
