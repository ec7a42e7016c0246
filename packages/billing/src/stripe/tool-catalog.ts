import type Stripe from 'stripe';
import { z } from 'zod';
import {
  archivePrice,
  DECIMAL,
  EVENT_NAME,
  ensureMeter,
  ensurePrice,
  normalizeDecimal,
  PlanCatalogInputError,
} from './catalog-objects.ts';

/** One priced MCP tool of a plan: its calls go to a meter of their own, billed at this price. */
export interface ToolPriceInput {
  tool: string;
  /** the tool meter's event_name, stable for the plan and tool */
  meterEventName: string;
  /** price per call in minor units as Stripe's decimal string */
  unitAmountDecimal: string;
}

const ZStripeToolPrice = z.object({
  meterId: z.string().min(1),
  meterEventName: z.string().min(1),
  priceId: z.string().min(1),
});
type StripeToolPrice = z.infer<typeof ZStripeToolPrice>;
/** What StripePlanPrice.toolPrices holds: the Stripe objects per priced tool. */
export type StripeToolPrices = Record<string, StripeToolPrice>;

const ZStripeToolPrices = z.record(z.string(), ZStripeToolPrice);

/**
 * The stored tool prices of a plan. A value that does not read as such is treated as none: the next
 * catalog run then finds or makes the objects again (idempotently, adopting meters by event name).
 */
export function readStripeToolPrices(json: unknown): StripeToolPrices {
  const parsed = ZStripeToolPrices.safeParse(json ?? {});
  return parsed.success ? parsed.data : {};
}

export function validateToolPrices(tools: readonly ToolPriceInput[]): void {
  const seen = new Set<string>();
  for (const { tool, meterEventName, unitAmountDecimal } of tools) {
    if (!tool) throw new PlanCatalogInputError('a tool price needs a tool name');
    if (seen.has(tool)) throw new PlanCatalogInputError(`tool ${tool} is priced twice`);
    seen.add(tool);
    if (!EVENT_NAME.test(meterEventName)) {
      throw new PlanCatalogInputError(`tool ${tool}: meterEventName must be 1-100 of [A-Za-z0-9_.:-]`);
    }
    if (!DECIMAL.test(unitAmountDecimal)) {
      throw new PlanCatalogInputError(`tool ${tool}: unitAmountDecimal must be a decimal string`);
    }
  }
}

/** The tools' part of the plan's pricing hash; undefined without tools (older hashes stay valid). */
export function toolPricesHashPart(tools: readonly ToolPriceInput[] | undefined) {
  if (!tools || tools.length === 0) return undefined;
  return [...tools]
    .sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0))
    .map((tool) => ({
      tool: tool.tool,
      meterEventName: tool.meterEventName,
      unitAmountDecimal: normalizeDecimal(tool.unitAmountDecimal),
    }));
}

interface EnsureToolPricesInput {
  productId: string;
  currency: string;
  interval: 'month' | 'year';
  tools: readonly ToolPriceInput[];
  existing: StripeToolPrices;
  metadata: Record<string, string>;
  scope: (tool: string, kind: 'meter' | 'price') => string[];
}

/**
 * A sum meter and a metered per-unit price per priced tool, on the plan's product. A tool whose
 * price changed gets a new price (the old one archived); a tool no longer priced has its price
 * archived. Its meter stays: events already sent to it keep their history.
 */
export async function ensureToolPrices(
  stripe: Stripe,
  input: EnsureToolPricesInput,
): Promise<{ toolPrices: StripeToolPrices; archivedPriceIds: string[] }> {
  validateToolPrices(input.tools);
  const toolPrices: StripeToolPrices = {};
  const archivedPriceIds: string[] = [];
  for (const { tool, meterEventName, unitAmountDecimal } of input.tools) {
    const before = input.existing[tool];
    const meterId = await ensureMeter(stripe, before?.meterId, meterEventName, input.scope(tool, 'meter'));
    const wanted: Omit<Stripe.PriceCreateParams, 'metadata'> = {
      product: input.productId,
      currency: input.currency,
      billing_scheme: 'per_unit',
      unit_amount_decimal: normalizeDecimal(unitAmountDecimal),
      recurring: { interval: input.interval, usage_type: 'metered', meter: meterId },
    };
    const placed = await ensurePrice(
      stripe,
      before?.priceId,
      wanted,
      { ...input.metadata, portcullis_price_role: 'tool', portcullis_tool: tool },
      input.scope(tool, 'price'),
    );
    if (placed.replacedId && (await archivePrice(stripe, placed.replacedId)))
      archivedPriceIds.push(placed.replacedId);
    toolPrices[tool] = { meterId, meterEventName, priceId: placed.id };
  }
  for (const [tool, before] of Object.entries(input.existing)) {
    if (toolPrices[tool]) continue;
    if (await archivePrice(stripe, before.priceId)) archivedPriceIds.push(before.priceId);
  }
  return { toolPrices, archivedPriceIds };
}
