'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ErrorState, Loading } from '../../../../components/form';
import { useTRPC } from '../../../../trpc/client';

export default function OrgHomePage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  if (org.isPending) return <Loading what="Loading organization" />;
  if (org.isError) return <ErrorState error={org.error} />;
  return (
    <>
      <div className="page-head">
        <h1>{org.data.name}</h1>
        <p className="muted">
          Your role: <span className="badge">{org.data.role}</span>
        </p>
      </div>
      <ul className="tiles">
        <li>
          <Link href={`/o/${slug}/apis`} className="tile">
            APIs
          </Link>
          <p className="muted">Publish APIs and define their plans.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/apps`} className="tile">
            Apps
          </Link>
          <p className="muted">Your applications, subscriptions and keys.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/ai`} className="tile">
            AI gateway
          </Link>
          <p className="muted">Provider credentials, model prices, AI call log and token usage.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/analytics`} className="tile">
            Analytics
          </Link>
          <p className="muted">Traffic, errors, latency and quota burn-down.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/alerts`} className="tile">
            Usage alerts
          </Link>
          <p className="muted">A notification and a mail when usage passes a threshold you set.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/logs`} className="tile">
            Request logs
          </Link>
          <p className="muted">Every call through the gateway, filterable and exportable.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/audit`} className="tile">
            Audit log
          </Link>
          <p className="muted">Every change, with who made it and what it changed.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/members`} className="tile">
            Members
          </Link>
          <p className="muted">Invite teammates and manage their roles.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/billing`} className="tile">
            Billing
          </Link>
          <p className="muted">Usage, invoices and your APIs' revenue.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/settings/stripe`} className="tile">
            Stripe
          </Link>
          <p className="muted">Connect Stripe to collect payments; pay your providers.</p>
        </li>
        <li>
          <Link href={`/o/${slug}/approvals`} className="tile">
            Approvals
          </Link>
          <p className="muted">Subscription requests waiting for your decision.</p>
        </li>
      </ul>
    </>
  );
}
