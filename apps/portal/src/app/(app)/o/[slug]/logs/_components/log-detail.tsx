'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorState, Loading } from '~/components/form';
import { count, utcPrecise } from '~/lib/format';
import { useTRPC } from '~/trpc/client';
import { StatusCode } from './status-code';

/** Every recorded field of one request, for the explorer's drawer. */
export function LogDetail({
  orgSlug,
  side,
  id,
  at,
}: {
  orgSlug: string;
  side: 'provider' | 'consumer';
  id: string;
  /** the row's time, so the lookup reads only that day's rows */
  at: Date;
}) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.logs.get.queryOptions({ orgSlug, side, id, at }));
  if (detail.isPending) return <Loading what="Loading request" />;
  if (detail.isError) return <ErrorState error={detail.error} />;
  const row = detail.data;
  const facts: Array<[string, ReactNode]> = [
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
  return (
    <dl className="facts" data-testid="log-detail">
      {facts.map(([label, value]) => (
        <div key={label} style={{ display: 'contents' }}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
