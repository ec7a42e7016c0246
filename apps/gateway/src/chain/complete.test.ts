import type { StreamUsageEvent } from '@portcullis/usage/stream';
import { describe, expect, it } from 'vitest';
import type { KeyRecord, RouteRecord, SubscriptionRecord } from '../config/repository.ts';
import type { RequestLogEntry } from '../usage/meter.ts';
import { complete } from './complete.ts';
import type { ChainDeps } from './deps.ts';
import type { AdmittedRequest } from './request.ts';

function recordingDeps() {
  const events: StreamUsageEvent[] = [];
  const rows: RequestLogEntry[] = [];
  const deps = {
    usage: { durable: false, record: async (event: StreamUsageEvent) => void events.push(event) },
    meter: { touchKey: () => undefined, recordLog: (row: RequestLogEntry) => void rows.push(row) },
    accessLog: () => undefined,
  } as unknown as ChainDeps;
  return { deps, events, rows };
}

const admitted = (tool?: string): AdmittedRequest => ({
  requestId: 'req1',
  startedAt: Date.UTC(2026, 0, 1),
  started: performance.now(),
  method: 'GET',
  pathname: '/org/api/items/1',
  clientIp: null,
  userAgent: null,
  path: { orgSlug: 'org', apiSlug: 'api', rest: '/items/1', query: '' },
  route: { apiId: 'api1', orgId: 'org1' } as RouteRecord,
  key: { id: 'key1', appId: 'app1' } as KeyRecord,
  subscription: { id: 'sub1', billable: 'below_500' } as unknown as SubscriptionRecord,
  usageId: 'use1',
  limitHeaders: {},
  counters: { bytesIn: 0, bytesOut: 0 },
  metered: {},
  billable: true,
  usageSent: false,
  ...(tool === undefined ? {} : { tool }),
});

const served = { status: 200, usageStatus: 200, upstreamMs: 1, bytesIn: 0, bytesOut: 10, errorCode: null };

describe('complete: MCP tool calls', () => {
  it('names the tool in the usage event and the request-log row', () => {
    const { deps, events, rows } = recordingDeps();
    complete(deps, admitted('getItem'), served);
    expect(events[0]?.tool).toBe('getItem');
    expect(rows[0]?.mcpTool).toBe('getItem');
  });

  it('names none for any other request', () => {
    const { deps, events, rows } = recordingDeps();
    complete(deps, admitted(), served);
    expect(events[0]).not.toHaveProperty('tool');
    expect(rows[0]?.mcpTool).toBeNull();
  });
});
