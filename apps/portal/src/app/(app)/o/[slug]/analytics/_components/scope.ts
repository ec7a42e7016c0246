/**
 * What the analytics page charts, kept apart from the drawing: which sides the org has, the query
 * filter for the chosen side, range and API, and the rows of the "top" breakdown.
 */

export type Side = 'provider' | 'consumer';
export const SIDE_LABEL: Record<Side, string> = {
  provider: 'My APIs (provider)',
  consumer: 'My apps (consumer)',
};

export interface SubscriptionOption {
  id: string;
  api: { id: string; name: string };
  app: { name: string; orgName: string };
  plan: { name: string; monthlyQuota: number | null };
}

export interface SideScope {
  apis: ReadonlyArray<{ id: string; name: string }>;
  subscriptions: SubscriptionOption[];
}

export interface Filter {
  orgSlug: string;
  side: Side;
  from: Date;
  to: Date;
  apiId?: string;
}

/** The sides with something to chart, provider first. */
export function scopeSides(scope: Record<Side, unknown>): Side[] {
  return (['provider', 'consumer'] as const).filter((s) => scope[s] !== null && scope[s] !== undefined);
}

/** The chosen side when the org has it, else its first one. */
export function pickSide(sides: Side[], chosen: Side | null): Side | undefined {
  return chosen && sides.includes(chosen) ? chosen : sides[0];
}

/** The chosen API when the side still has it, else '' (all APIs). */
export function pickApi(scope: SideScope, apiId: string): string {
  return scope.apis.some((a) => a.id === apiId) ? apiId : '';
}

/** A subscription as the burn-down picker names it; the provider side also names the consumer org. */
export function subscriptionLabel(s: SubscriptionOption, side: Side): string {
  return `${s.api.name} · ${side === 'provider' ? `${s.app.orgName} / ` : ''}${s.app.name} (${s.plan.name})`;
}

export interface TopRow {
  id: string;
  name: string;
  /** the API's catalog page (consumer side) */
  href: string | null;
  /** the API's provider org (consumer side) */
  provider: string | null;
  requests: number;
  errors: number;
}

interface TopData {
  consumers: Array<{ orgId: string; name: string; requests: number; errors: number }>;
  apis: Array<{
    apiId: string;
    slug: string;
    name: string;
    providerOrg: { slug: string; name: string };
    requests: number;
    errors: number;
  }>;
}

/** The provider's top consumer orgs or the consumer's top APIs, as one kind of row. */
export function topRows(data: TopData): TopRow[] {
  return [
    ...data.consumers.map((c) => ({
      id: c.orgId,
      name: c.name,
      href: null,
      provider: null,
      requests: c.requests,
      errors: c.errors,
    })),
    ...data.apis.map((a) => ({
      id: a.apiId,
      name: a.name,
      href: `/catalog/${a.providerOrg.slug}/${a.slug}`,
      provider: a.providerOrg.name,
      requests: a.requests,
      errors: a.errors,
    })),
  ];
}
