import type { SqlRunner } from '@portcullis/db/pg';

/** One AiCallLog row as the gateway writes it. */
export interface AiCallLogEntry {
  id: string;
  at: Date;
  orgId: string;
  apiId: string;
  subscriptionId: string | null;
  appId: string | null;
  keyId: string | null;
  requestId: string;
  surface: 'chat' | 'embeddings' | 'messages' | 'prompt' | 'responses' | 'images' | 'audio' | 'moderations';
  model: string;
  provider: string | null;
  providerModel: string | null;
  status: number;
  errorCode: string | null;
  stream: boolean;
  tokensIn: number;
  tokensOut: number;
  tokensEstimated: boolean;
  costMicros: bigint;
  latencyMs: number;
  ttftMs: number | null;
  attempts: number;
  /** prompt APIs with a release: the version that answered */
  promptVersion?: number | null;
  requestBody: string | null;
  responseBody: string | null;
  /** the guardrails' decisions on the call (JSON), null when none */
  guardrails?: unknown;
}

/**
 * One statement per batch, the rows as one JSON parameter: inserts the log rows (ON CONFLICT (id, at) DO
 * NOTHING, so a batch whose commit was not acknowledged is safe to send again) and adds the rows it
 * inserted, and only those, to AiUsageDailyRollup, in key order so concurrent gateways lock the same rows
 * in the same order.
 */
const INSERT_AI_CALL_LOGS_SQL = `
    WITH inserted AS (
      INSERT INTO "AiCallLog" (id, at, "orgId", "apiId", "subscriptionId", "appId", "keyId", "requestId", surface,
        model, provider, "providerModel", status, "errorCode", stream, "tokensIn", "tokensOut", "tokensEstimated",
        "costMicros", "latencyMs", "ttftMs", attempts, "promptVersion", "requestBody", "responseBody", guardrails)
      SELECT id, at, "orgId", "apiId", "subscriptionId", "appId", "keyId", "requestId", surface,
        model, provider, "providerModel", status, "errorCode", stream, "tokensIn", "tokensOut", "tokensEstimated",
        "costMicros", "latencyMs", "ttftMs", attempts, "promptVersion", "requestBody", "responseBody", guardrails
      FROM json_to_recordset($1::json) AS x(id text, at timestamp(3), "orgId" text, "apiId" text,
        "subscriptionId" text, "appId" text, "keyId" text, "requestId" text, surface text, model text,
        provider text, "providerModel" text, status int, "errorCode" text, stream boolean, "tokensIn" int,
        "tokensOut" int, "tokensEstimated" boolean, "costMicros" bigint, "latencyMs" int, "ttftMs" int,
        attempts int, "promptVersion" int, "requestBody" text, "responseBody" text, guardrails jsonb)
      ON CONFLICT (id, at) DO NOTHING
      RETURNING "orgId", at, "apiId", model, status, "tokensIn", "tokensOut", "costMicros"
    ),
    daily AS (
      INSERT INTO "AiUsageDailyRollup" ("orgId", day, "apiId", model, calls, errors, "tokensIn", "tokensOut",
        "costMicros", "updatedAt")
      SELECT "orgId", at::date, "apiId", model, count(*), count(*) FILTER (WHERE status >= 400), sum("tokensIn"),
        sum("tokensOut"), sum("costMicros"), now()
      FROM inserted
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
      ON CONFLICT ("orgId", day, "apiId", model) DO UPDATE SET
        calls = "AiUsageDailyRollup".calls + excluded.calls,
        errors = "AiUsageDailyRollup".errors + excluded.errors,
        "tokensIn" = "AiUsageDailyRollup"."tokensIn" + excluded."tokensIn",
        "tokensOut" = "AiUsageDailyRollup"."tokensOut" + excluded."tokensOut",
        "costMicros" = "AiUsageDailyRollup"."costMicros" + excluded."costMicros",
        "updatedAt" = excluded."updatedAt"
    )
    SELECT count(*)::int AS inserted FROM inserted`;

/** JSON for the batch: the exact cost travels as decimal text (JSON has no bigint). */
const batchJson = (rows: readonly AiCallLogEntry[]) =>
  JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));

/**
 * The one writer of AiCallLog and AiUsageDailyRollup: inserts the rows not yet logged and adds them to
 * the daily usage, in one statement (both or neither). Resolves to how many rows were new.
 */
export async function writeAiCallLogs(sql: SqlRunner, rows: readonly AiCallLogEntry[]): Promise<number> {
  if (rows.length === 0) return 0;
  const [result] = await sql.rows<{ inserted: number }>(INSERT_AI_CALL_LOGS_SQL, [batchJson(rows)]);
  return result?.inserted ?? 0;
}
