/** Billing periods are calendar months in UTC, anchored to the subscription's period start day later on. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function nextMonthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

export function hourStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** `anchor` moved by `months` calendar months (UTC), its day clamped to the target month's last day. */
export function addAnniversaryMonths(anchor: Date, months: number): Date {
  const total = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  return new Date(
    Date.UTC(
      year,
      month,
      day,
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

/**
 * The billing period containing `at`: periods are the monthly anniversaries of `anchor` (the
 * subscription's period start), each computed from the anchor itself so a day-31 anchor goes
 * Jan 31 → Feb 28/29 → Mar 31 rather than drifting to the 28th. `start` ≤ at < `end`.
 */
export function billingPeriod(anchor: Date, at: Date): { start: Date; end: Date } {
  let months =
    (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (at.getUTCMonth() - anchor.getUTCMonth());
  // The month difference is off by at most one either way (day and time of day within the month).
  if (addAnniversaryMonths(anchor, months).getTime() > at.getTime()) months -= 1;
  else if (addAnniversaryMonths(anchor, months + 1).getTime() <= at.getTime()) months += 1;
  return { start: addAnniversaryMonths(anchor, months), end: addAnniversaryMonths(anchor, months + 1) };
}
