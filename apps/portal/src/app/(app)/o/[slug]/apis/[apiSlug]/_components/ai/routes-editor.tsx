'use client';

import { useFieldArray, useFormContext } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { EmptyState } from '~/components/ui/empty-state';
import { ListError } from '../../../../../../../../components/forms/fields';
import type { CredentialOption } from '../ai-routes';
import { type AiRoutesDraft, emptyRoute } from './ai-draft';
import { RouteFieldset } from './route-fieldset';

/** The model routes of an AI API or a prompt (a `routes` list in the surrounding form). */
export function RoutesEditor({
  credentials,
  canWrite,
  cacheable = true,
  ownGuardrails = true,
}: {
  credentials: CredentialOption[];
  canWrite: boolean;
  /** the response cache applies to non-streamed chat completions (AI APIs) */
  cacheable?: boolean;
  /** a route may replace the API's guardrails (AI APIs; a prompt's rules cover all its calls) */
  ownGuardrails?: boolean;
}) {
  const { control } = useFormContext<AiRoutesDraft>();
  const routes = useFieldArray({ control, name: 'routes' });
  return (
    <>
      {routes.fields.length === 0 ? (
        <EmptyState
          title="No model routes: every model name answers 404."
          description={canWrite ? 'Add a route to send a model name to a provider.' : undefined}
        />
      ) : null}
      {routes.fields.map((field, i) => (
        <RouteFieldset
          key={field.id}
          index={i}
          credentials={credentials}
          cacheable={cacheable}
          ownGuardrails={ownGuardrails}
          canWrite={canWrite}
          onRemove={() => routes.remove(i)}
        />
      ))}
      <ListError path="routes" />
      {canWrite ? (
        <Button
          variant="secondary"
          className="mb-4"
          onClick={() => routes.append(emptyRoute(credentials[0]?.id))}
        >
          Add route
        </Button>
      ) : null}
    </>
  );
}
