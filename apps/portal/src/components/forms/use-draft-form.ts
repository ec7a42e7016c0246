'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { type DefaultValues, type FieldValues, useForm } from 'react-hook-form';
import type { z } from 'zod';

/**
 * A form over a draft (what the user typed), validated by `schema`: the draft's schema piped into the
 * schema the server parses the mutation with, so a field's message is the server's own, shown before
 * the round trip. `handleSubmit` hands over the parsed input. `disabled` makes the form read-only.
 */
export function useDraftForm<Draft extends FieldValues, Input>(
  schema: z.ZodType<Input, Draft>,
  defaultValues: Draft,
  disabled = false,
) {
  return useForm<Draft, unknown, Input>({
    resolver: zodResolver(schema),
    defaultValues: defaultValues as DefaultValues<Draft>,
    disabled,
  });
}

/** "Saved" after a successful save, until the form is edited again. */
export function useSavedNote(isDirty: boolean) {
  const [saved, setSaved] = useState(false);
  return { saved: saved && !isDirty, markSaved: () => setSaved(true) };
}
