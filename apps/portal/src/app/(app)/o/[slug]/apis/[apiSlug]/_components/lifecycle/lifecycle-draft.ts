import { ZApiRetire } from '@portcullis/core/schemas';
import { z } from 'zod';

const DAY_MS = 86_400_000;

/** `yyyy-mm-dd` of a date, for `<input type="date">` (UTC, like the sunset itself). */
const dateInput = (d: Date): string => d.toISOString().slice(0, 10);

/** The earliest sunset the form offers: tomorrow (UTC). */
export const firstSunsetDay = (now = Date.now()): string => dateInput(new Date(now + DAY_MS));

/** The deprecation form's draft: a sunset day 90 days out and no message. */
export const newDeprecation = (now = Date.now()) => ({
  sunset: dateInput(new Date(now + 90 * DAY_MS)),
  message: '',
});

/** The sunset is the end of the chosen day (UTC): calls are answered all day long. */
export const sunsetAt = (day: string): string => `${day}T23:59:59Z`;

/** What the deprecation form checks before sending (the server checks the date lies ahead). */
export const ZDeprecationDraft = z.object({
  sunset: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose the sunset date'),
  message: z.string().trim().max(2000, 'At most 2000 characters'),
});

/** Retiring asks for the API's slug again; the server says whether it matches. */
export const ZRetireDraft = ZApiRetire.pick({ confirmSlug: true });
