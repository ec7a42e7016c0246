import { cn } from '~/lib/cn';

/* Plain module (no 'use client'): server components style links as buttons with these classes too. */

const base =
  'm-0 inline-flex items-center justify-center gap-1.5 rounded-md border font-semibold no-underline ' +
  'cursor-pointer transition-colors disabled:cursor-default disabled:opacity-60 ' +
  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent';

const variants = {
  primary: 'border-accent bg-accent text-white hover:bg-accent-hover',
  secondary: 'border-line bg-surface text-fg hover:bg-page',
  danger: 'border-danger bg-surface text-danger hover:bg-red-50',
  ghost: 'border-transparent bg-transparent text-fg hover:bg-page',
  link: 'border-transparent bg-transparent p-0 text-accent underline hover:bg-transparent',
} as const;

const sizes = {
  md: 'px-4 py-2 text-base',
  sm: 'px-2.5 py-1 text-sm',
  icon: 'size-9 p-0',
} as const;

export type ButtonVariant = keyof typeof variants;
export type ButtonSize = keyof typeof sizes;

/** Class names of a button, for elements that must look like one without being a `Button`. */
export function buttonClasses(variant: ButtonVariant = 'primary', size: ButtonSize = 'md'): string {
  return cn(base, variants[variant], variant === 'link' ? null : sizes[size]);
}
