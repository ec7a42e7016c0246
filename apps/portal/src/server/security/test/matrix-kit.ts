import type { Db, Role } from '@portcullis/db';
import type { TenantWorld } from './world';

/**
 * The access matrix's vocabulary. isolation.int.test.ts calls every procedure of the app router as
 * anonymous, an outsider (OWNER of another org, also naming its own org with the target's ids), and
 * VIEWER / DEVELOPER / ADMIN / OWNER of the org that owns the resources in the input, and checks each
 * answer against the procedure's Access.
 */
export type Access =
  /** anyone, signed out too (the catalog answers signed-out callers only for tenants that allow it) */
  | { kind: 'public' }
  /** any signed-in user; the procedure only ever shows or changes the caller's own things */
  | { kind: 'signedIn' }
  /** members of the owning org (`side` of the world) with at least `minRole` */
  | { kind: 'member'; side: 'provider' | 'consumer'; minRole: Role }
  /** the operator's isPlatformAdmin flag; no tenant role is enough */
  | { kind: 'platformAdmin' }
  /** only the user the invitation was addressed to; nobody in the matrix is */
  | { kind: 'invitee' };

export interface MatrixEntry {
  access: Access;
  /** a valid input naming the target tenant's resources; `orgSlug` is the owning org's */
  input: (world: TenantWorld) => unknown;
  /**
   * Why actors the access rule allows may still get NOT_FOUND/FORBIDDEN with this input (the world
   * lacks something the procedure needs that the test cannot provide, e.g. a live Stripe account).
   */
  allowedMayBeRefused?: string;
  /** extra state the procedure needs, added to each freshly seeded world */
  prepare?: (db: Db, world: TenantWorld) => Promise<void>;
}

/** Members of the `side` org with at least `minRole`. */
export const role = (side: 'provider' | 'consumer', minRole: Role): Access => ({
  kind: 'member',
  side,
  minRole,
});
export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'signedIn' };
export const prov = (w: TenantWorld) => ({ orgSlug: w.provider.slug });
export const cons = (w: TenantWorld) => ({ orgSlug: w.consumer.slug });
export const provApi = (w: TenantWorld) => ({ ...prov(w), apiId: w.provider.apiId });
export const catalogRef = (w: TenantWorld) => ({ orgSlug: w.provider.slug, apiSlug: w.provider.apiSlug });
export const range = () => ({ from: new Date(Date.now() - 7 * 86_400_000), to: new Date() });
export const future = (days: number) => new Date(Date.now() + days * 86_400_000);
export const noInput = (w: TenantWorld) => w && undefined;
