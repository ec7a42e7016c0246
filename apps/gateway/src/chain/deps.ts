import type { SqlRunner } from '@portcullis/db/pg';
import type { AiService } from '../ai/service.ts';
import type { AccessLogger, Logger } from '../log.ts';
import type { McpDeps } from '../mcp/endpoint.ts';
import type { AdmitDeps } from '../pipeline/admit.ts';
import type { PolicyEngine } from '../policies/engine.ts';
import type { Tracer } from '../tracing/types.ts';
import type { UpstreamClient } from '../upstream/proxy.ts';
import type { UsageMeter } from '../usage/meter.ts';
import type { UsageSink } from '../usage/sink.ts';

/** What the request chain (run.ts and its steps) works with; built once by the composition root. */
export interface ChainDeps extends AdmitDeps {
  /** node-postgres: the readiness probe */
  sql: SqlRunner;
  upstream: UpstreamClient;
  /** request log rows and the keys' last use, written in batches */
  meter: UsageMeter;
  /** usage events: the Redis stream (written before the response ends) or the embedded meter */
  usage: UsageSink;
  /** one line per finished request */
  accessLog: AccessLogger;
  /** IP rules, CORS, body size limits, OpenAPI validation, header transforms, response cache (src/policies) */
  policies: PolicyEngine;
  log: Logger;
  /** serves AI and PROMPT APIs (src/ai) */
  ai?: AiService | undefined;
  /** mcp: sessions and the tools/call loopback of the MCP endpoints */
  mcp: McpDeps;
  /** absent: no tracing, and the chain calls each step directly */
  tracer?: Tracer | undefined;
  /** GATEWAY_ORG_HOST_SUFFIX: `{org}.<suffix>` serves that org's APIs at `/{api}/…` */
  orgHostSuffix?: string | undefined;
}
