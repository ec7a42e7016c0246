'use client';

import { Button } from '~/components/ui/button';
import { SIDE_LABEL, type Side } from './scope';

/** Provider or consumer charts, for an org that both publishes APIs and calls them. */
export function ViewToggle({
  sides,
  side,
  onChange,
}: {
  sides: Side[];
  side: Side;
  onChange: (side: Side) => void;
}) {
  if (sides.length < 2) return null;
  return (
    <fieldset className="m-0 mb-4 min-w-0 border-0 p-0">
      <legend className="mb-1.5 p-0 text-sm font-semibold">View</legend>
      <div className="flex flex-wrap gap-1.5">
        {sides.map((s) => (
          <Button
            key={s}
            size="sm"
            variant={s === side ? 'primary' : 'secondary'}
            aria-pressed={s === side}
            onClick={() => onChange(s)}
          >
            {SIDE_LABEL[s]}
          </Button>
        ))}
      </div>
    </fieldset>
  );
}
