import type { HTMLAttributes } from 'react';
import { cn } from '~/lib/cn';

const tones = {
  neutral: 'bg-[#eef1f5] text-muted',
  ok: 'bg-[#e3f4e8] text-ok',
  warn: 'bg-[#fff3dc] text-warn',
  danger: 'bg-[#fbe6e6] text-danger',
  info: 'bg-[#e6edfb] text-accent-hover',
} as const;

type BadgeTone = keyof typeof tones;

export interface BadgeProps extends HTMLAttributes<HTMLSpanElement> {
  tone?: BadgeTone;
}

/** A short status label; the tone's colours meet WCAG AA contrast on their background. */
export function Badge({ tone = 'neutral', className, ...props }: BadgeProps) {
  return (
    <span
      className={cn(
        'inline-block rounded-full px-2 py-0.5 text-xs font-bold tracking-wide whitespace-nowrap',
        tones[tone],
        className,
      )}
      {...props}
    />
  );
}
