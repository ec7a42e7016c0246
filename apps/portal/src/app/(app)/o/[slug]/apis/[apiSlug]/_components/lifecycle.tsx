'use client';

import { DeprecateForm } from './lifecycle/deprecate-form';
import { RetireDialog } from './lifecycle/retire-dialog';

/** Deprecate with a sunset date, then retire (the gateway answers 410 api_retired): retiring asks for the slug. */
export function Lifecycle({
  orgSlug,
  api,
  canManage,
  onChanged,
}: {
  orgSlug: string;
  api: { id: string; slug: string; status: string; sunsetAt: Date | null };
  /** may deprecate and retire (owners and admins); others only read the API's state */
  canManage: boolean;
  onChanged: () => Promise<void>;
}) {
  if (api.status === 'DRAFT') return null;
  const retired = api.status === 'RETIRED';
  return (
    <section className="card danger-zone" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">Lifecycle</h2>
      {retired ? <p role="status">This API is retired: the gateway answers 410 to every call.</p> : null}
      {api.status === 'PUBLISHED' && canManage ? (
        <DeprecateForm orgSlug={orgSlug} apiId={api.id} onChanged={onChanged} />
      ) : null}
      {api.status === 'DEPRECATED' && api.sunsetAt ? (
        <p role="status">
          Deprecated; sunset on <strong>{api.sunsetAt.toISOString().slice(0, 10)}</strong>. Retire it when the
          day comes.
        </p>
      ) : null}
      {!retired && canManage ? (
        <>
          <p className="text-muted">
            Retiring cuts every consumer off: the gateway answers <code>410 api_retired</code>. It cannot be
            undone.
          </p>
          <RetireDialog orgSlug={orgSlug} api={api} onChanged={onChanged} />
        </>
      ) : null}
      {!retired && !canManage ? (
        <p className="text-sm text-muted">Owners and admins deprecate and retire this API.</p>
      ) : null}
    </section>
  );
}
