'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { QueryState } from '~/components/ui/query-state';
import { count, utcPrecise } from '~/lib/format';
import { useTRPC } from '~/trpc/client';
import type { Side } from './filter';
import { StatusCode } from './status-code';

interface LogEntry {
  id: string;
  at: Date;
  status: number;
  method: string;
  path: string;
  errorCode: string | null;
  latencyMs: number;
  upstreamMs: number | null;
  bytesIn: number;
  bytesOut: number;
  api: { name: string; org: { name: string } } | null;
  app: { name: string; orgName: string } | null;
  key: { name: string; prefix: string; last4: string } | null;
  keyId: string | null;
  clientIp: string | null;
  userAgent: string | null;
}

function facts(row: LogEntry): Array<[string, ReactNode]> {
  return [
    ['Time (UTC)', utcPrecise(row.at)],
    ['Status', <StatusCode key="s" status={row.status} />],
    ['Method', row.method],
    ['Path', <code key="p">{row.path}</code>],
    ['Error code', row.errorCode ?? '—'],
    ['Latency', `${row.latencyMs} ms`],
    ['Upstream', row.upstreamMs === null ? '—' : `${row.upstreamMs} ms`],
    ['Bytes in / out', `${count(row.bytesIn)} / ${count(row.bytesOut)}`],
    ['API', row.api ? `${row.api.name} (${row.api.org.name})` : '—'],
    ['App', row.app ? `${row.app.name} (${row.app.orgName})` : '—'],
    ['Key', row.key ? `${row.key.name} · ${row.key.prefix}…${row.key.last4}` : (row.keyId ?? '—')],
    ['Client IP', row.clientIp ?? '—'],
    ['User agent', row.userAgent ?? '—'],
    ['Request id', <code key="id">{row.id}</code>],
  ];
}

/** Every recorded field of one request, for the explorer's drawer. */
export function LogDetail({
  orgSlug,
  side,
  id,
  at,
}: {
  orgSlug: string;
  side: Side;
  id: string;
  /** the row's time, so the lookup reads only that day's rows */
  at: Date;
}) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.logs.get.queryOptions({ orgSlug, side, id, at }));
  return (
    <QueryState query={detail} pendingLabel="Loading request">
      {(row) => (
        <dl className="facts" data-testid="log-detail">
          {facts(row).map(([label, value]) => (
            <div key={label} className="contents">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </QueryState>
  );
}
