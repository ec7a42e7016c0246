'use client';

import type { InputHTMLAttributes, ReactNode } from 'react';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
}

/** Hint and error text under a field, with the ids `describedBy` links them by. */
export function Described({ id, error, hint }: { id: string; error?: string; hint?: ReactNode }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  );
}

export const describedBy = (id: string, error?: string, hint?: ReactNode) =>
  [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;

/** A labelled input with its error text right under it (linked for screen readers). */
export function Field({ id, label, error, hint, ...input }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
      />
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert">
      {message}
    </p>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" aria-busy="true">
      {what}…
    </p>
  );
}

export function ErrorState({ error }: { error: { message: string } }) {
  return (
    <p className="form-error" role="alert">
      {error.message || 'Something went wrong.'}
    </p>
  );
}

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
