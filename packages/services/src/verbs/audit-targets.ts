import type { Db, Tx } from '@portcullis/db';

/**
 * Names for audit targets, so the log reads "Weather API" rather than an id. Current names come from
 * the database; a target since deleted is named from what its entry recorded (before/after documents).
 */

interface TargetRef {
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
}

type Lookup = (db: Db | Tx, ids: string[]) => Promise<Array<{ id: string; label: string }>>;

const LOOKUPS: Record<string, Lookup> = {
  Api: async (db, ids) =>
    (
      await db.api.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, version: true } })
    ).map((a) => ({ id: a.id, label: `${a.name} ${a.version}` })),
  Plan: async (db, ids) =>
    (
      await db.plan.findMany({
        where: { id: { in: ids } },
        select: { id: true, name: true, api: { select: { name: true } } },
      })
    ).map((p) => ({ id: p.id, label: `${p.name} plan of ${p.api.name}` })),
  App: async (db, ids) =>
    (await db.app.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((a) => ({
      id: a.id,
      label: a.name,
    })),
  ApiKey: async (db, ids) =>
    (
      await db.apiKey.findMany({
        where: { id: { in: ids } },
        select: { id: true, name: true, prefix: true, app: { select: { name: true } } },
      })
    ).map((k) => ({ id: k.id, label: `key ${k.name} (${k.prefix}…) of ${k.app.name}` })),
  Invitation: async (db, ids) =>
    (await db.invitation.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })).map(
      (i) => ({ id: i.id, label: `invitation to ${i.email}` }),
    ),
  Membership: async (db, ids) =>
    (
      await db.membership.findMany({
        where: { id: { in: ids } },
        select: { id: true, user: { select: { email: true, name: true } } },
      })
    ).map((m) => ({ id: m.id, label: m.user.name ? `${m.user.name} (${m.user.email})` : m.user.email })),
  Subscription: async (db, ids) =>
    (
      await db.subscription.findMany({
        where: { id: { in: ids } },
        select: {
          id: true,
          app: { select: { name: true } },
          plan: { select: { name: true, api: { select: { name: true } } } },
        },
      })
    ).map((s) => ({ id: s.id, label: `${s.app.name} on ${s.plan.api.name} (${s.plan.name})` })),
  Invoice: async (db, ids) =>
    (await db.invoice.findMany({ where: { id: { in: ids } }, select: { id: true, number: true } })).map(
      (i) => ({
        id: i.id,
        label: `invoice ${i.number}`,
      }),
    ),
  ProviderCredential: async (db, ids) =>
    (
      await db.providerCredential.findMany({
        where: { id: { in: ids } },
        select: { id: true, name: true, provider: true },
      })
    ).map((c) => ({ id: c.id, label: `${c.name} (${c.provider})` })),
  ApiChangelogEntry: async (db, ids) =>
    (
      await db.apiChangelogEntry.findMany({
        where: { id: { in: ids } },
        select: { id: true, title: true, version: true },
      })
    ).map((e) => ({ id: e.id, label: `${e.title} (${e.version})` })),
  Organization: async (db, ids) =>
    (await db.organization.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map(
      (o) => ({ id: o.id, label: o.name }),
    ),
  User: async (db, ids) =>
    (
      await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } })
    ).map((u) => ({ id: u.id, label: u.name ? `${u.name} (${u.email})` : u.email })),
};

const RECORDED_NAME_FIELDS = ['name', 'title', 'email', 'number', 'slug'] as const;

/** A name the entry itself recorded (the target may be gone): the first of name/title/email/number/slug. */
function recordedName(entry: Pick<TargetRef, 'before' | 'after'>): string | null {
  for (const doc of [entry.after, entry.before]) {
    if (!doc || typeof doc !== 'object') continue;
    for (const field of RECORDED_NAME_FIELDS) {
      const value = (doc as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 200);
    }
  }
  return null;
}

/** `targetId` → display name for each entry whose target has one (current, else recorded). */
export async function auditTargetNames(db: Db | Tx, entries: TargetRef[]): Promise<Map<string, string>> {
  const byType = new Map<string, Set<string>>();
  for (const entry of entries) {
    if (!LOOKUPS[entry.targetType]) continue;
    const ids = byType.get(entry.targetType) ?? new Set<string>();
    ids.add(entry.targetId);
    byType.set(entry.targetType, ids);
  }
  const names = new Map<string, string>();
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      for (const row of await LOOKUPS[type]!(db, [...ids])) names.set(`${type}:${row.id}`, row.label);
    }),
  );
  const result = new Map<string, string>();
  for (const entry of entries) {
    const name = names.get(`${entry.targetType}:${entry.targetId}`) ?? recordedName(entry);
    if (name) result.set(entry.targetId, name);
  }
  return result;
}
