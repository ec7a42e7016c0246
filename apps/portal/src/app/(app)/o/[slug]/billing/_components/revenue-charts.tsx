'use client';

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { count, money } from '~/components/billing/format';
import { ACCENT, ChartFrame, GREEN, TICK } from '~/components/charts/chart-frame';

const MARGIN = { left: 0, right: 16, top: 4 };

/** `2024-03` → `Mar 2024` */
function monthLabel(month: string): string {
  const at = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(at.getTime())
    ? month
    : at.toLocaleString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

interface MonthPoint {
  month: string;
  subscriptions: number;
  amountMinor: bigint;
}

export function PaidSubscriptionsChart({ currency, points }: { currency: string; points: MonthPoint[] }) {
  const data = points.map((p) => ({ month: p.month, subscriptions: p.subscriptions }));
  const latest = points.at(-1)?.subscriptions ?? 0;
  return (
    <ChartFrame
      title={`Paid subscriptions billed (${currency.toUpperCase()})`}
      testId="chart-paid-subscriptions"
      summary={`${count(latest)} paid subscriptions billed in the latest month`}
    >
      <BarChart data={data} accessibilityLayer={false} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tick={TICK} tickFormatter={monthLabel} minTickGap={8} />
        <YAxis tick={TICK} allowDecimals={false} width={40} />
        <Tooltip
          labelFormatter={(m) => monthLabel(String(m))}
          formatter={(v) => [count(Number(v)), 'Subscriptions']}
        />
        <Bar dataKey="subscriptions" name="Subscriptions" fill={GREEN} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}

export function MonthlyRevenueChart({ currency, points }: { currency: string; points: MonthPoint[] }) {
  // Only the bar lengths go through floats; labels format the exact minor units.
  const data = points.map((p) => ({ month: p.month, amount: Number(p.amountMinor), exact: p.amountMinor }));
  const total = points.reduce((sum, p) => sum + p.amountMinor, 0n);
  return (
    <ChartFrame
      title={`Billed per month (${currency.toUpperCase()})`}
      testId="chart-monthly-revenue"
      summary={`${money(total, currency)} billed over ${points.length} months`}
    >
      <BarChart data={data} accessibilityLayer={false} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tick={TICK} tickFormatter={monthLabel} minTickGap={8} />
        <YAxis tick={TICK} width={72} tickFormatter={(v: number) => money(BigInt(Math.round(v)), currency)} />
        <Tooltip
          labelFormatter={(m) => monthLabel(String(m))}
          formatter={(_, __, item) => [money((item.payload as { exact: bigint }).exact, currency), 'Billed']}
        />
        <Bar dataKey="amount" name="Billed" fill={ACCENT} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}

export function RevenueShareChart({
  title,
  testId,
  currency,
  rows,
}: {
  title: string;
  testId: string;
  currency: string;
  rows: Array<{ label: string; amountMinor: bigint }>;
}) {
  const data = rows.map((r) => ({ label: r.label, amount: Number(r.amountMinor), exact: r.amountMinor }));
  return (
    <ChartFrame
      title={`${title} (${currency.toUpperCase()})`}
      testId={testId}
      summary={rows.map((r) => `${r.label}: ${money(r.amountMinor, currency)}`).join('; ')}
    >
      <BarChart data={data} layout="vertical" accessibilityLayer={false} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis
          type="number"
          tick={TICK}
          tickFormatter={(v: number) => money(BigInt(Math.round(v)), currency)}
        />
        <YAxis type="category" dataKey="label" tick={TICK} width={96} />
        <Tooltip
          formatter={(_, __, item) => [money((item.payload as { exact: bigint }).exact, currency), 'Revenue']}
        />
        <Bar dataKey="amount" name="Revenue" fill={ACCENT} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}
