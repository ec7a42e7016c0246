import { count } from '~/components/billing/format';
import { usagePermille } from './billing-view';

/** Billable requests so far against the monthly quota: a bar and the exact figures. */
export function UsageBar({ used, quota }: { used: bigint; quota: number | null }) {
  if (quota === null) return <span data-testid="billing-usage">{count(used)} requests (no quota)</span>;
  return (
    <div>
      <progress
        max={1000}
        value={usagePermille(used, quota)}
        className="block w-full max-w-48"
        aria-label={`${count(used)} of ${count(quota)} requests used`}
      />
      <span data-testid="billing-usage">
        {count(used)} / {count(quota)} requests
      </span>
    </div>
  );
}
