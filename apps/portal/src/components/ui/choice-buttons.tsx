'use client';

import { cn } from '~/lib/cn';
import { Button } from './button';

interface ChoiceButtonsProps<T extends string> {
  /** Names the group; shown above it unless `legendHidden`. */
  legend: string;
  legendHidden?: boolean;
  choices: ReadonlyArray<{ value: T; label: string }>;
  value: T;
  onChange: (value: T) => void;
  size?: 'sm' | 'md';
}

/** One of a few views, as pressed/unpressed buttons in a labelled group; nothing when there is one. */
export function ChoiceButtons<T extends string>({
  legend,
  legendHidden = false,
  choices,
  value,
  onChange,
  size = 'md',
}: ChoiceButtonsProps<T>) {
  if (choices.length < 2) return null;
  return (
    <fieldset className="m-0 mb-4 min-w-0 border-0 p-0">
      <legend className={cn(legendHidden ? 'sr-only' : 'mb-1.5 p-0 text-sm font-semibold')}>{legend}</legend>
      <div className="flex flex-wrap gap-1.5">
        {choices.map((choice) => (
          <Button
            key={choice.value}
            size={size}
            variant={choice.value === value ? 'primary' : 'secondary'}
            aria-pressed={choice.value === value}
            onClick={() => onChange(choice.value)}
          >
            {choice.label}
          </Button>
        ))}
      </div>
    </fieldset>
  );
}
