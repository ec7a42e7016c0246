'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { useTRPC } from '~/trpc/client';
import { currentOrgSlug } from './header-org';

/** The organizations of the signed-in user: choosing one opens it. */
export function OrgSwitcher({ id, onSwitch }: { id: string; onSwitch?: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const slug = currentOrgSlug(usePathname());
  const orgs = useQuery(trpc.org.listMine.queryOptions());
  if (!orgs.data || orgs.data.length === 0) return null;
  const known = orgs.data.some((org) => org.slug === slug);
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="sr-only">
        Organization
      </label>
      <select
        id={id}
        value={known && slug ? slug : ''}
        className="m-0 w-full max-w-56 rounded-md border border-line bg-white px-2 py-1.5"
        onChange={(e) => {
          if (!e.target.value) return;
          onSwitch?.();
          router.push(`/o/${encodeURIComponent(e.target.value)}`);
        }}
      >
        {known ? null : (
          <option value="" disabled>
            Switch organization…
          </option>
        )}
        {orgs.data.map((org) => (
          <option key={org.id} value={org.slug}>
            {org.name}
          </option>
        ))}
      </select>
    </div>
  );
}
