'use client';

import { useMutation } from '@tanstack/react-query';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { useTRPC } from '~/trpc/client';

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'danger'> = {
  PUBLISHED: 'ok',
  DEPRECATED: 'warn',
  RETIRED: 'danger',
};

/** The API's name and status; a draft gets the Publish button (for those who may publish). */
export function ApiHead({
  orgSlug,
  api,
  onChanged,
}: {
  orgSlug: string;
  api: { id: string; name: string; status: string; canWrite: boolean };
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const publish = useMutation(
    trpc.api.publish.mutationOptions({
      onSuccess: async () => {
        await onChanged();
        toast.success(`${api.name} is published`);
      },
    }),
  );
  const draft = api.status === 'DRAFT';
  return (
    <>
      <div className="page-head">
        <h1>{api.name}</h1>
        <Badge tone={STATUS_TONE[api.status] ?? 'neutral'} className="self-center" data-testid="api-status">
          {api.status}
        </Badge>
        {draft && api.canWrite ? (
          <Button disabled={publish.isPending} onClick={() => publish.mutate({ orgSlug, apiId: api.id })}>
            {publish.isPending ? 'Publishing…' : 'Publish'}
          </Button>
        ) : null}
      </div>
      {draft && !api.canWrite ? (
        <p className="text-sm text-muted">Owners and admins publish this API.</p>
      ) : null}
      <FormMessage message={publish.error?.message} />
    </>
  );
}
