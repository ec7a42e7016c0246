'use client';

import { Button } from '~/components/ui/button';
import type { Side } from './filter';

const LABEL: Record<Side, string> = { provider: 'Calls to my APIs', consumer: 'Calls by my apps' };

/** Whose requests to list, for an org that both publishes APIs and calls them. */
export function SideToggle({
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
    <fieldset className="m-0 mb-4 flex min-w-0 flex-wrap gap-2 border-0 p-0">
      <legend className="sr-only">Whose requests</legend>
      {sides.map((s) => (
        <Button
          key={s}
          variant={s === side ? 'primary' : 'secondary'}
          aria-pressed={s === side}
          onClick={() => onChange(s)}
        >
          {LABEL[s]}
        </Button>
      ))}
    </fieldset>
  );
}
