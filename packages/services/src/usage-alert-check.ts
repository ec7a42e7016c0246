import type { Db } from '@portcullis/db';
import { notifyUsers } from './notify-users.ts';
import { budgetMonthStanding, budgetText, monthlyUsdBudgets, usdText } from './usage-alert-budget.ts';
import {
  apiMonthUsage,
  crossedThresholds,
  type Period,
  subscriptionPeriodUsage,
} from './usage-alert-usage.ts';

/**
 * The usage alert check, run by the metering worker after usage has been rolled up. For each alert it
 * reads the period's usage (requests against a quota or target, or AI spend against a monthly budget); for each threshold reached and not yet recorded for that period it inserts a
 * UsageAlertFiring row (unique per alert, period and threshold) and, in the same transaction, notifies
 * the org's owners and admins (and the alert's author) in the portal and by mail, once per check, about
 * the highest threshold newly reached. Concurrent checks and restarts cannot send twice: a second insert
 * of the same key waits for the first transaction and then inserts nothing.
 */

const PAGE = 500;
const SUBSCRIPTION_STATUSES = ['PENDING', 'ACTIVE', 'SUSPENDED'] as const;
const NOTIFY_ROLES = ['OWNER', 'ADMIN'] as const;

export interface UsageAlertCheckResult {
  checked: number;
  /** thresholds newly recorded */
  fired: Array<{ alertId: string; periodStart: Date; threshold: number }>;
  /** notifications sent (one per alert and check, about its highest new threshold) */
  notified: number;
}

interface Candidate {
  alertId: string;
  orgId: string;
  createdById: string | null;
  /** the portal page the notification opens */
  link: string;
  period: Period;
  used: bigint;
  limit: bigint;
  crossed: number[];
  title: (threshold: number) => string;
  body: (threshold: number) => string;
}

const count = (n: bigint) => n.toLocaleString('en-US');
const utcMinute = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export async function checkUsageAlerts(db: Db, options: { now?: Date } = {}): Promise<UsageAlertCheckResult> {
  const now = options.now ?? new Date();
  const result: UsageAlertCheckResult = { checked: 0, fired: [], notified: 0 };
  let cursor: string | undefined;
  for (;;) {
    const alerts = await db.usageAlert.findMany({
      where: cursor ? { id: { gt: cursor } } : {},
      orderBy: { id: 'asc' },
      take: PAGE,
      select: {
        id: true,
        orgId: true,
        kind: true,
        subscriptionId: true,
        apiId: true,
        target: true,
        thresholds: true,
        createdById: true,
        org: { select: { slug: true } },
      },
    });
    if (alerts.length === 0) break;
    cursor = alerts.at(-1)!.id;
    result.checked += alerts.length;
    const candidates = await candidatesOf(db, alerts, now);
    for (const candidate of candidates) await fire(db, candidate, result);
  }
  return result;
}

type AlertRow = {
  id: string;
  orgId: string;
  kind: string;
  subscriptionId: string | null;
  apiId: string | null;
  target: bigint | null;
  thresholds: number[];
  createdById: string | null;
  org: { slug: string };
};

async function candidatesOf(db: Db, alerts: AlertRow[], now: Date): Promise<Candidate[]> {
  const subscriptionIds = alerts.flatMap((a) =>
    a.kind !== 'API_REQUESTS' && a.subscriptionId ? [a.subscriptionId] : [],
  );
  const apiIds = alerts.flatMap((a) => (a.kind === 'API_REQUESTS' && a.apiId ? [a.apiId] : []));
  const [subscriptions, apis] = await Promise.all([
    db.subscription.findMany({
      where: { id: { in: subscriptionIds }, status: { in: [...SUBSCRIPTION_STATUSES] } },
      select: {
        id: true,
        currentPeriodStart: true,
        app: { select: { orgId: true, name: true } },
        plan: {
          select: {
            id: true,
            name: true,
            monthlyQuota: true,
            aiLimits: true,
            api: { select: { name: true } },
          },
        },
      },
    }),
    db.api.findMany({ where: { id: { in: apiIds } }, select: { id: true, orgId: true, name: true } }),
  ]);
  const watchedAs = (kind: string) =>
    new Set(alerts.flatMap((a) => (a.kind === kind && a.subscriptionId ? [a.subscriptionId] : [])));
  const quotaIds = watchedAs('SUBSCRIPTION_QUOTA');
  const budgetIds = watchedAs('SUBSCRIPTION_AI_BUDGET');
  const quotaWatched = subscriptions.filter((s) => quotaIds.has(s.id) && s.plan.monthlyQuota !== null);
  const budgetSubjects = subscriptions
    .filter((s) => budgetIds.has(s.id))
    .map((s) => ({
      id: s.id,
      planId: s.plan.id,
      orgId: s.app.orgId,
      budgets: monthlyUsdBudgets(s.plan.aiLimits),
    }));
  const [subUsage, spend, apiUsage] = await Promise.all([
    subscriptionPeriodUsage(db, quotaWatched, now),
    budgetMonthStanding(db, budgetSubjects, now),
    apiMonthUsage(db, apis, now),
  ]);
  const subById = new Map(subscriptions.map((s) => [s.id, s]));
  const apiById = new Map(apis.map((a) => [a.id, a]));
  const candidates: Candidate[] = [];
  for (const alert of alerts) {
    const base = {
      alertId: alert.id,
      orgId: alert.orgId,
      createdById: alert.createdById,
      link: `/o/${alert.org.slug}/alerts`,
    };
    const s = alert.subscriptionId ? subById.get(alert.subscriptionId) : undefined;
    // The subscription must still belong to the org that set the alert.
    const sub = s && s.app.orgId === alert.orgId ? s : undefined;
    const what = sub ? `${sub.plan.api.name} · ${sub.app.name}` : '';
    if (alert.kind === 'SUBSCRIPTION_QUOTA') {
      const usage = sub ? subUsage.get(sub.id) : undefined;
      if (!sub || !usage || sub.plan.monthlyQuota === null) continue;
      const limit = BigInt(sub.plan.monthlyQuota);
      const crossed = crossedThresholds(alert.thresholds, usage.used, limit);
      if (crossed.length === 0) continue;
      candidates.push({
        ...base,
        period: usage.period,
        used: usage.used,
        limit,
        crossed,
        title: (t) => `${what}: ${t}% of the monthly quota used`,
        body: (t) =>
          `${what} (plan ${sub.plan.name}) has used ${count(usage.used)} of its ${count(limit)} requests ` +
          `(${t}% threshold) in the billing period ${utcMinute(usage.period.start)} → ${utcMinute(usage.period.end)}.`,
      });
    } else if (alert.kind === 'SUBSCRIPTION_AI_BUDGET') {
      const usage = sub ? spend.get(sub.id) : undefined;
      if (!sub || !usage) continue;
      const budget = usage.budget;
      const crossed = crossedThresholds(alert.thresholds, usage.used, budget.micros);
      if (crossed.length === 0) continue;
      const who = budget.scope === 'app' ? what : `Your organization's apps on ${sub.plan.api.name}`;
      candidates.push({
        ...base,
        period: usage.period,
        used: usage.used,
        limit: budget.micros,
        crossed,
        title: (t) => `${what}: ${t}% of ${budgetText(budget)} used`,
        body: (t) =>
          `${who} (plan ${sub.plan.name}) spent ${usdText(usage.used)} of ${budgetText(budget)} ` +
          `(${t}% threshold) this calendar month, since ${utcMinute(usage.period.start)}.`,
      });
    } else {
      const api = alert.apiId ? apiById.get(alert.apiId) : undefined;
      const usage = api ? apiUsage.get(api.id) : undefined;
      if (!api || !usage || api.orgId !== alert.orgId || alert.target === null) continue;
      const limit = alert.target;
      const crossed = crossedThresholds(alert.thresholds, usage.used, limit);
      if (crossed.length === 0) continue;
      candidates.push({
        ...base,
        period: usage.period,
        used: usage.used,
        limit,
        crossed,
        title: (t) => `${api.name}: ${t}% of ${count(limit)} monthly requests reached`,
        body: (t) =>
          `${api.name} has served ${count(usage.used)} requests this month (since ${utcMinute(usage.period.start)}), ` +
          `past ${t}% of the ${count(limit)} you set.`,
      });
    }
  }
  return candidates;
}

async function fire(db: Db, candidate: Candidate, result: UsageAlertCheckResult) {
  const already = await db.usageAlertFiring.findMany({
    where: { alertId: candidate.alertId, periodStart: candidate.period.start },
    select: { threshold: true },
  });
  const done = new Set(already.map((f) => f.threshold));
  const pending = candidate.crossed.filter((t) => !done.has(t));
  if (pending.length === 0) return;
  await db.$transaction(async (tx) => {
    const inserted: number[] = [];
    for (const threshold of pending) {
      const { count: n } = await tx.usageAlertFiring.createMany({
        data: [
          {
            alertId: candidate.alertId,
            periodStart: candidate.period.start,
            threshold,
            observed: candidate.used,
          },
        ],
        skipDuplicates: true,
      });
      if (n > 0) inserted.push(threshold);
    }
    if (inserted.length === 0) return;
    const highest = Math.max(...inserted);
    const members = await tx.membership.findMany({
      where: {
        orgId: candidate.orgId,
        OR: [
          { role: { in: [...NOTIFY_ROLES] } },
          ...(candidate.createdById ? [{ userId: candidate.createdById }] : []),
        ],
      },
      select: { userId: true },
    });
    await notifyUsers(tx, {
      userIds: members.map((m) => m.userId),
      orgId: candidate.orgId,
      kind: 'usage_alert.crossed',
      title: candidate.title(highest),
      body: candidate.body(highest),
      link: candidate.link,
      email: true,
    });
    for (const threshold of inserted) {
      result.fired.push({ alertId: candidate.alertId, periodStart: candidate.period.start, threshold });
    }
    result.notified++;
  });
}
