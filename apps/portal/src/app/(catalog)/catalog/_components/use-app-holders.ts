'use client';

import { useQuery } from '@tanstack/react-query';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';

/** Orgs whose role may create apps and subscribe them. */
export function appHolders<T extends { role: Parameters<typeof can>[0] }>(orgs: T[]): T[] {
  return orgs.filter((org) => can(org.role, 'app.write') && can(org.role, 'subscription.create'));
}

/** Where a new app can go: orgs whose role may create apps and subscribe them; none → a personal org. */
export function useAppHolders(enabled: boolean) {
  const trpc = useTRPC();
  const orgs = useQuery({ ...trpc.org.listMine.queryOptions(), enabled });
  return { orgs, holders: appHolders(orgs.data ?? []) };
}
