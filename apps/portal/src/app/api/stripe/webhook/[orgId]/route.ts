import { handleStripeWebhook } from '@portcullis/billing/stripe-sync/webhooks';
import { serviceDb } from '../../../../../server/db';
import { stripeAccess } from '../../../../../server/stripe-access';

export const dynamic = 'force-dynamic';

/** Stripe's events are a few kilobytes; anything this large is not one. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * Stripe webhooks of one tenant: POST /api/stripe/webhook/{orgId}, the URL the tenant pastes into its
 * Stripe webhook endpoint. No session: the Stripe-Signature made with the tenant's signing secret is the
 * authentication. The body is read raw, since the signature covers the exact bytes.
 */
export async function POST(request: Request, context: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await context.params;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) return Response.json({ error: 'payload_too_large' }, { status: 413 });
  let rawBody: string;
  try {
    rawBody = await request.text();
  } catch {
    return Response.json({ error: 'unreadable_body' }, { status: 400 });
  }
  if (Buffer.byteLength(rawBody) > MAX_BODY_BYTES) {
    return Response.json({ error: 'payload_too_large' }, { status: 413 });
  }
  try {
    const result = await handleStripeWebhook(serviceDb(), {
      orgId,
      rawBody,
      signature: request.headers.get('stripe-signature'),
      now: new Date(),
      ...stripeAccess(),
    });
    return Response.json(result.body, { status: result.status });
  } catch (error) {
    // Database trouble: a 5xx makes Stripe deliver the event again later.
    console.error('stripe webhook failed:', error);
    return Response.json({ error: 'temporarily_unavailable' }, { status: 503 });
  }
}
