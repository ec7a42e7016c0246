/** What an alert can watch, and the subjects the form offers for each. */
export type AlertKind = 'SUBSCRIPTION_QUOTA' | 'SUBSCRIPTION_AI_BUDGET' | 'API_REQUESTS';

export interface AlertOptions {
  /** subscriptions whose plan has a monthly quota */
  subscriptions: Array<{ id: string; label: string }>;
  /** subscriptions whose plan has a monthly USD AI budget */
  budgetSubscriptions: Array<{ id: string; label: string }>;
  apis: Array<{ id: string; name: string }>;
}

/** The kinds the org has something to watch for, in the order the form lists them. */
export function alertKinds(options: AlertOptions): Array<{ value: AlertKind; label: string }> {
  return [
    ...(options.subscriptions.length > 0
      ? [{ value: 'SUBSCRIPTION_QUOTA' as const, label: 'A subscription’s monthly quota (my apps)' }]
      : []),
    ...(options.budgetSubscriptions.length > 0
      ? [{ value: 'SUBSCRIPTION_AI_BUDGET' as const, label: 'A subscription’s monthly AI budget (my apps)' }]
      : []),
    ...(options.apis.length > 0
      ? [{ value: 'API_REQUESTS' as const, label: 'Requests to one of my APIs' }]
      : []),
  ];
}

/** The subscriptions or APIs an alert of `kind` can watch, as select options. */
export function alertSubjects(
  kind: AlertKind,
  options: AlertOptions,
): Array<{ value: string; label: string }> {
  if (kind === 'API_REQUESTS') return options.apis.map((a) => ({ value: a.id, label: a.name }));
  const subscriptions = kind === 'SUBSCRIPTION_QUOTA' ? options.subscriptions : options.budgetSubscriptions;
  return subscriptions.map((s) => ({ value: s.id, label: s.label }));
}
