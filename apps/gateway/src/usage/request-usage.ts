/**
 * Refusals the gateway makes after admission that are never billed, whatever the plan's billable
 * statuses say. A body over the API's size limit is refused before the key is even checked when its
 * length is declared (nothing is recorded then); a chunked body is only found too large while it
 * streams, after admission — billing it would make the same refusal cost money or not depending on
 * how the client framed the body.
 */
const UNBILLED_REFUSALS: ReadonlySet<string> = new Set(['payload_too_large', 'request_too_large']);

export const isBillableRefusal = (code: string): boolean => !UNBILLED_REFUSALS.has(code);
