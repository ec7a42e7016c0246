import { randomInt } from 'node:crypto';

/** A Stripe API object as the fake stores and returns it (plain JSON). */
export type StripeObject = Record<string, unknown> & { id: string; object: string };

export interface AcceptedMeterEvent {
  account: string;
  identifier: string;
  eventName: string;
  customerId: string;
  /** decimal integer string, summed as bigint */
  value: string;
  timestamp: number;
  created: number;
}

/** An event Stripe accepts synchronously but drops while aggregating (reported asynchronously by Stripe). */
export interface DroppedMeterEvent {
  account: string;
  identifier: string;
  eventName: string;
  reason: 'no_meter' | 'customer_not_found' | 'no_customer_defined' | 'invalid_value';
}

export type InjectedFailureKind =
  /** 500 api_error before the endpoint runs: nothing is stored, nothing replayed */
  | 'http_500'
  /** the socket is destroyed before the endpoint runs */
  | 'connection_reset'
  /** the endpoint runs (and its idempotent result is saved), then the socket is destroyed unanswered */
  | 'reset_after_commit';

export interface FailureRule {
  method?: string;
  path: string | RegExp;
  count: number;
  kind: InjectedFailureKind;
}

export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  account: string | null;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  /** request headers, lower-case names, Authorization left out */
  headers: Record<string, string>;
  params: Record<string, unknown>;
  status: number | null;
  outcome: 'handled' | 'replayed' | InjectedFailureKind | 'rejected';
}

export interface SetupCompletion {
  session: StripeObject;
  setupIntent: StripeObject;
  paymentMethodId: string;
}

const TEST_VISA = { last4: '4242', brand: 'visa' };

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(prefix: string, length = 14): string {
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** Everything the fake knows; tests read it directly. Objects of every account share the maps, owner kept aside. */
export class FakeStripeState {
  readonly accounts = new Map<string, string>();
  readonly ownerOf = new Map<string, string>();
  readonly customers = new Map<string, StripeObject>();
  readonly products = new Map<string, StripeObject>();
  readonly prices = new Map<string, StripeObject>();
  readonly meters = new Map<string, StripeObject>();
  readonly subscriptions = new Map<string, StripeObject>();
  readonly checkoutSessions = new Map<string, StripeObject>();
  readonly portalSessions = new Map<string, StripeObject>();
  readonly setupIntents = new Map<string, StripeObject>();
  readonly webhookEndpoints = new Map<string, StripeObject>();
  readonly events = new Map<string, StripeObject>();
  /** every webhook POST the fake made, in order */
  readonly webhookDeliveries: Array<{
    eventId: string;
    type: string;
    url: string;
    status: number | null;
    error?: string;
  }> = [];
  /** where the fake listens (e.g. "http://127.0.0.1:40123"): Checkout Session URLs point at its hosted page */
  publicUrl: string | null = null;
  /** payment method id → customer it is attached to */
  readonly paymentMethods = new Map<string, string>();
  /** payment method id → the card it stands for */
  readonly paymentMethodCards = new Map<string, { last4: string; brand: string }>();
  readonly meterEvents: AcceptedMeterEvent[] = [];
  readonly droppedMeterEvents: DroppedMeterEvent[] = [];
  /** meter-event creations refused because the identifier was already used */
  duplicateMeterEventAttempts = 0;
  readonly requests: RequestLogEntry[] = [];
  /** false mimics an account whose test-mode customer portal settings were never saved */
  portalConfigured = true;
  private readonly failureRules: FailureRule[] = [];

  constructor(readonly now: () => number) {}

  /** Restricted keys (rk_…) and the permissions they were given, e.g. `rak_product_write`. */
  readonly restrictedKeys = new Map<string, Set<string>>();

  /** Registers a secret key as its own Stripe account; returns the account id. */
  addAccount(secretKey: string): string {
    const existing = this.accounts.get(secretKey);
    if (existing) return existing;
    const accountId = randomId('acct_', 16);
    this.accounts.set(secretKey, accountId);
    return accountId;
  }

  /**
   * A restricted key of `accountOf`'s account (or of an account of its own) that may only do what
   * `permissions` grant; every other endpoint answers 403 as Stripe does.
   */
  addRestrictedKey(secretKey: string, permissions: string[], accountOf?: string): string {
    const account = (accountOf && this.accounts.get(accountOf)) || randomId('acct_', 16);
    this.accounts.set(secretKey, account);
    this.restrictedKeys.set(secretKey, new Set(permissions));
    return account;
  }

  /** Sum of the accepted, aggregated event values for a meter event name and customer (all accounts). */
  meterTotal(eventName: string, customerId: string): bigint {
    let total = 0n;
    for (const event of this.meterEvents) {
      if (event.eventName === eventName && event.customerId === customerId) total += BigInt(event.value);
    }
    return total;
  }

  /** The next `count` requests matching method+path fail the given way. */
  injectFailures(rule: FailureRule): void {
    this.failureRules.push({ ...rule });
  }

  takeInjectedFailure(method: string, path: string): InjectedFailureKind | null {
    for (const rule of this.failureRules) {
      if (rule.count <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      const matches = typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
      if (!matches) continue;
      rule.count -= 1;
      return rule.kind;
    }
    return null;
  }

  requestsTo(method: string, path: string | RegExp): RequestLogEntry[] {
    return this.requests.filter(
      (entry) =>
        entry.method === method && (typeof path === 'string' ? entry.path === path : path.test(entry.path)),
    );
  }

  store(map: Map<string, StripeObject>, object: StripeObject, account: string): StripeObject {
    map.set(object.id, object);
    this.ownerOf.set(object.id, account);
    return object;
  }

  find(map: Map<string, StripeObject>, id: string, account: string): StripeObject | undefined {
    return this.ownerOf.get(id) === account ? map.get(id) : undefined;
  }

  /** Simulates the customer finishing a setup-mode Checkout Session: a card gets attached to the customer. */
  completeSetupSession(
    sessionId: string,
    card: { last4: string; brand: string } = TEST_VISA,
  ): SetupCompletion {
    const session = this.checkoutSessions.get(sessionId);
    if (session?.mode !== 'setup') throw new Error(`no open setup session ${sessionId}`);
    const customerId = session.customer as string;
    const paymentMethodId = randomId('pm_', 24);
    this.paymentMethods.set(paymentMethodId, customerId);
    this.paymentMethodCards.set(paymentMethodId, card);
    const setupIntent = this.setupIntents.get(session.setup_intent as string)!;
    Object.assign(setupIntent, { status: 'succeeded', payment_method: paymentMethodId });
    Object.assign(session, { status: 'complete', url: null });
    return { session: structuredClone(session), setupIntent: structuredClone(setupIntent), paymentMethodId };
  }

  /** Moves a subscription to a status Stripe would reach by itself (past_due, canceled, …). */
  setSubscriptionStatus(subscriptionId: string, status: string): void {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
    subscription.status = status;
    if (status === 'canceled') subscription.canceled_at = Math.floor(this.now() / 1000);
  }
}
