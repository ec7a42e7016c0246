'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { formatLimits } from '~/components/form';
import { Badge, type BadgeProps } from '~/components/ui/badge';
import { useTRPC } from '~/trpc/client';
import { CancelSubscription } from './cancel-subscription';

export interface SubscriptionRow {
  id: string;
  status: string;
  rejectionReason: string | null;
  plan: {
    name: string;
    rateLimit: number | null;
    rateLimitWindowSeconds: number;
    monthlyQuota: number | null;
    api: { name: string; slug: string; status: string; sunsetAt: Date | null; org: { slug: string } };
  };
}

const OPEN = new Set(['PENDING', 'ACTIVE', 'SUSPENDED']);

const TONES: Record<string, BadgeProps['tone']> = {
  ACTIVE: 'ok',
  PENDING: 'warn',
  SUSPENDED: 'warn',
  REJECTED: 'danger',
};

function Usage({ orgSlug, subscriptionId }: { orgSlug: string; subscriptionId: string }) {
  const trpc = useTRPC();
  const usage = useQuery(trpc.usage.forSubscription.queryOptions({ orgSlug, subscriptionId }));
  if (usage.isPending) return <span className="text-muted">Loading usage…</span>;
  if (usage.isError) return <span className="text-danger">Usage unavailable</span>;
  const { used, quota } = usage.data;
  return (
    <span data-testid="usage">
      {quota === null ? `${used} requests this month` : `${used} / ${quota} requests this month`}
    </span>
  );
}

/** One subscription: API and plan, deprecation notice, status, usage and the cancel. */
export function SubscriptionItem({
  orgSlug,
  sub,
  canCancel,
  onChanged,
}: {
  orgSlug: string;
  sub: SubscriptionRow;
  canCancel: boolean;
  onChanged: () => Promise<unknown>;
}) {
  const { api } = sub.plan;
  return (
    <li className="flex flex-wrap items-start justify-between gap-3 border-b border-line py-3 last:border-b-0">
      <div className="min-w-0">
        <Link href={`/catalog/${api.org.slug}/${api.slug}`}>{api.name}</Link>{' '}
        <span className="text-muted">
          {sub.plan.name} · {formatLimits(sub.plan)}
        </span>
        {api.status === 'DEPRECATED' && OPEN.has(sub.status) ? (
          <p className="m-0 mt-1 text-danger" role="status">
            This API is deprecated
            {api.sunsetAt ? ` and stops answering on ${api.sunsetAt.toISOString().slice(0, 10)}` : ''}.
          </p>
        ) : null}
        {api.status === 'RETIRED' ? <p className="m-0 mt-1 text-muted">This API is retired.</p> : null}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={TONES[sub.status] ?? 'neutral'}>{sub.status}</Badge>
        {sub.rejectionReason ? <span className="text-muted">Reason: {sub.rejectionReason}</span> : null}
        <Usage orgSlug={orgSlug} subscriptionId={sub.id} />
        {canCancel && OPEN.has(sub.status) ? (
          <CancelSubscription
            orgSlug={orgSlug}
            subscriptionId={sub.id}
            apiName={api.name}
            onDone={onChanged}
          />
        ) : null}
      </div>
    </li>
  );
}
