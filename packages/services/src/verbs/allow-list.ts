import { badRequest } from '@portcullis/core/errors';
import type { AllowedHostEntryInput } from '@portcullis/core/schemas';
import type { Db, Tx } from '@portcullis/db';

/*
 * The SSRF guard's exemptions (UpstreamAllowedHost): each names the organizations whose APIs and AI
 * credentials may reach the host, or every tenant. One tenant's exemption never opens a private address
 * to another tenant: the portal checks an upstream against its own org's entries when it is saved, the
 * gateway against the API's (or AI credential's) org on every connection.
 */

/** Ends the field error of an upstream the guard refused: what the provider can ask for. */
export const ALLOW_LIST_HINT = 'A platform admin can allow-list the host for this organization.';

/** One entry as the platform admin sees it. */
export interface AllowedHostEntry {
  host: string;
  allTenants: boolean;
  orgs: Array<{ id: string; slug: string; name: string }>;
}

/** Hosts `orgId`'s upstreams and AI endpoints may reach past the SSRF guard (its own and all-tenant entries). */
export async function loadUpstreamAllowedHosts(db: Db | Tx, orgId: string): Promise<string[]> {
  const rows = await db.upstreamAllowedHost.findMany({
    where: { OR: [{ allTenants: true }, { orgs: { some: { orgId } } }] },
    select: { host: true },
  });
  return rows.map((row) => row.host);
}

export async function listAllowedHosts(db: Db | Tx): Promise<AllowedHostEntry[]> {
  const rows = await db.upstreamAllowedHost.findMany({
    select: {
      host: true,
      allTenants: true,
      orgs: { select: { org: { select: { id: true, slug: true, name: true } } } },
    },
    orderBy: { host: 'asc' },
  });
  return rows.map((row) => ({
    host: row.host,
    allTenants: row.allTenants,
    orgs: row.orgs.map((link) => link.org).sort((a, b) => a.slug.localeCompare(b.slug)),
  }));
}

/** `host` or `host:port` (IPv6 in brackets), as the SSRF guard compares them with URL.host. */
function normalizeAllowedHost(value: string): string | null {
  const trimmed = value.trim().toLowerCase();
  if (!trimmed || /[/?#@\s]/.test(trimmed)) return null;
  try {
    const url = new URL(`http://${trimmed}`);
    // URL drops the default port, so compare without it
    const expected = trimmed.endsWith(':80') ? trimmed.slice(0, -3) : trimmed;
    return url.host === expected ? trimmed : null;
  } catch {
    return null;
  }
}

interface CheckedEntry {
  host: string;
  allTenants: boolean;
  orgIds: string[];
}

/**
 * Validates entries (hosts, org slugs) into canonical form: one entry per host, an entry for all tenants
 * names no organization. Field errors are keyed `upstreamAllowedHosts.<index>.host|orgSlugs|allTenants`.
 */
async function checkEntries(db: Db | Tx, input: readonly AllowedHostEntryInput[]): Promise<CheckedEntry[]> {
  const fields: Record<string, string> = {};
  const slugs = [
    ...new Set(input.flatMap((entry) => entry.orgSlugs.map((slug) => slug.trim().toLowerCase()))),
  ];
  const orgs = await db.organization.findMany({
    where: { slug: { in: slugs } },
    select: { id: true, slug: true },
  });
  const idOf = new Map(orgs.map((org) => [org.slug, org.id]));
  const byHost = new Map<string, CheckedEntry>();
  input.forEach((entry, index) => {
    const host = normalizeAllowedHost(entry.host);
    if (host === null) {
      fields[`upstreamAllowedHosts.${index}.host`] =
        `"${entry.host}" is not a host or host:port (no scheme or path)`;
      return;
    }
    const orgIds: string[] = [];
    for (const raw of entry.orgSlugs) {
      const id = idOf.get(raw.trim().toLowerCase());
      if (id === undefined) fields[`upstreamAllowedHosts.${index}.orgSlugs`] ??= `No organization "${raw}"`;
      else orgIds.push(id);
    }
    if (entry.allTenants && orgIds.length > 0) {
      fields[`upstreamAllowedHosts.${index}.allTenants`] =
        `${host} is either for all tenants or for the organizations listed, not both`;
    }
    const merged = byHost.get(host) ?? { host, allTenants: false, orgIds: [] };
    merged.allTenants ||= entry.allTenants;
    merged.orgIds = [...new Set([...merged.orgIds, ...orgIds])].sort();
    byHost.set(host, merged);
  });
  if (Object.keys(fields).length > 0) {
    const first = Object.values(fields)[0] ?? 'Some entries are not valid';
    throw badRequest(`Some allowed hosts are not valid: ${first}`, {
      upstreamAllowedHosts: first,
      ...fields,
    });
  }
  return [...byHost.values()];
}

/** Audit-friendly form of an entry list: host → 'all tenants' | sorted org ids. */
function allowListSnapshot(entries: ReadonlyArray<{ host: string; allTenants: boolean; orgIds: string[] }>) {
  return Object.fromEntries(
    entries.map((entry) => [entry.host, entry.allTenants ? 'all tenants' : [...entry.orgIds].sort()]),
  );
}

/**
 * Replaces the whole allow-list (the admin page edits it as one list) inside the caller's transaction;
 * returns the snapshots before and after, equal when nothing changed.
 */
export async function replaceAllowedHosts(tx: Tx, input: readonly AllowedHostEntryInput[]) {
  const next = await checkEntries(tx, input);
  const current = await tx.upstreamAllowedHost.findMany({
    select: { id: true, host: true, allTenants: true, orgs: { select: { orgId: true } } },
  });
  const before = allowListSnapshot(
    current.map((row) => ({ ...row, orgIds: row.orgs.map((link) => link.orgId) })),
  );
  const after = allowListSnapshot(next);
  if (JSON.stringify(before) === JSON.stringify(after)) return { before, after, changed: false };
  const kept = new Set(next.map((entry) => entry.host));
  await tx.upstreamAllowedHost.deleteMany({ where: { host: { notIn: [...kept] } } });
  for (const entry of next) {
    const row = await tx.upstreamAllowedHost.upsert({
      where: { host: entry.host },
      create: { host: entry.host, allTenants: entry.allTenants },
      update: { allTenants: entry.allTenants },
      select: { id: true },
    });
    await tx.upstreamAllowedHostOrg.deleteMany({ where: { hostId: row.id, orgId: { notIn: entry.orgIds } } });
    await tx.upstreamAllowedHostOrg.createMany({
      data: entry.orgIds.map((orgId) => ({ hostId: row.id, orgId })),
      skipDuplicates: true,
    });
  }
  return { before, after, changed: true };
}
