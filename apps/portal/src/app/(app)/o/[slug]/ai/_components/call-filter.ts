/** The AI call log's filters and paging, kept apart from the page: days are whole UTC days. */

const DAY = 86_400_000;

export type Cursor = { at: Date; id: string };

export interface CallDraft {
  apiId: string;
  model: string;
  status: string;
  /** YYYY-MM-DD, the first day included */
  from: string;
  /** YYYY-MM-DD, the last day included */
  to: string;
}

export const NO_CALL_FILTER: CallDraft = { apiId: '', model: '', status: '', from: '', to: '' };

/** A date input's value for an instant (its UTC day). */
export const dateInput = (d: Date) => d.toISOString().slice(0, 10);

const parseDay = (text: string) => (text ? new Date(`${text}T00:00:00.000Z`) : undefined);

/** The list procedure's input: only the filters set; `to` ends after its whole day. */
export function callQuery(orgSlug: string, draft: CallDraft, cursor?: Cursor) {
  const from = parseDay(draft.from);
  const toDay = parseDay(draft.to);
  const to = toDay ? new Date(toDay.getTime() + DAY) : undefined;
  return {
    orgSlug,
    limit: 50,
    ...(draft.apiId ? { apiId: draft.apiId } : {}),
    ...(draft.model ? { model: draft.model } : {}),
    ...(draft.status.trim() ? { status: draft.status.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/** The usage summary's range: the last `days` whole UTC days up to `to` (a day boundary). */
export function usageRange(to: Date, days: number) {
  return { from: new Date(to.getTime() - days * DAY), to };
}

/** The end of the current UTC day. */
export const endOfToday = (now = Date.now()) => new Date(Math.ceil(now / DAY) * DAY);

/** A call's time, short and to the second. */
export const callTime = (d: Date) =>
  new Date(d).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
