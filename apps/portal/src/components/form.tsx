'use client';

export function formatLimits(plan: {
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
}): string {
  const rate =
    plan.rateLimit === null
      ? 'No rate limit'
      : `${plan.rateLimit} requests / ${plan.rateLimitWindowSeconds}s`;
  const quota =
    plan.monthlyQuota === null ? 'unlimited monthly quota' : `${plan.monthlyQuota} requests / month`;
  return `${rate} · ${quota}`;
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}
