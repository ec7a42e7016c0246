import { isBillableStatus, type PlanPricing } from '@portcullis/core/billing/pricing';
import type { StreamUsageEvent } from '@portcullis/usage/stream';
import type { AiMetered } from '../ai/context.ts';
import { chunkLength } from './durable-end.ts';

/**
 * Refusals the gateway makes after admission that are never billed, whatever the plan's billable
 * statuses say. A body over the API's size limit is refused before the key is even checked when its
 * length is declared (nothing is recorded then); a chunked body is only found too large while it
 * streams, after admission — billing it would make the same refusal cost money or not depending on
 * how the client framed the body.
 */
const UNBILLED_REFUSALS: ReadonlySet<string> = new Set(['payload_too_large', 'request_too_large']);

export const isBillableRefusal = (code: string): boolean => !UNBILLED_REFUSALS.has(code);

export interface RequestUsage {
  /** The event sent before the response's end() (durable sinks); marks it recorded. */
  atEnd(status: number, lastChunk: unknown): StreamUsageEvent;
  /**
   * The event when the request is over, or null if one already left at the end. Requests whose
   * response never reached end() — the client hung up mid-body or mid-stream, the upstream broke off —
   * are recorded here, so every admitted request has exactly one usage event whatever the client does.
   */
  atCompletion(status: number, bytesIn: number, bytesOut: number): StreamUsageEvent | null;
  /** This request is recorded but not billed (a gateway refusal, a response the upstream broke off). */
  notBillable(): void;
}

/** The one usage event of an admitted request. */
export function requestUsage(request: {
  id: string;
  subscription: { id: string } & Pick<PlanPricing, 'billable'>;
  atMs: number;
  /** live byte counts of the request and response bodies */
  counters: { bytesIn: number; bytesOut: number };
  /** AI calls: tokens and cost, set before the response's final end() */
  metered: AiMetered;
}): RequestUsage {
  let recorded = false;
  let billable = true;
  const event = (status: number, bytesIn: number, bytesOut: number): StreamUsageEvent => {
    recorded = true;
    const { billable: aiBillable, ...ai } = request.metered;
    return {
      ...ai,
      id: request.id,
      subscriptionId: request.subscription.id,
      atMs: request.atMs,
      status,
      billable: billable && aiBillable !== false && isBillableStatus(request.subscription, status),
      bytesIn,
      bytesOut,
    };
  };
  return {
    atEnd: (status, lastChunk) =>
      // A cached or problem response is one end(body) that never went through the relay's counter.
      event(status, request.counters.bytesIn, request.counters.bytesOut || chunkLength(lastChunk)),
    atCompletion: (status, bytesIn, bytesOut) => (recorded ? null : event(status, bytesIn, bytesOut)),
    notBillable() {
      billable = false;
    },
  };
}
