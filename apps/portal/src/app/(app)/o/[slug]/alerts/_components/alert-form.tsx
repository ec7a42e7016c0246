'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { Field, FormMessage } from '~/components/ui/field';
import { SelectField } from '../../../../../../components/config-fields';
import { fieldErrors, formError, useTRPC } from '../../../../../../trpc/client';
import { type AlertKind, type AlertOptions, alertKinds, alertSubjects } from './alert-kinds';
import { readAlertForm } from './thresholds';

/**
 * New alert: a subscription's share of its quota or of its monthly AI budget (consumer), or an API's
 * monthly request target (provider).
 */
export function AlertForm({
  orgSlug,
  options,
  onCreated,
}: {
  orgSlug: string;
  options: AlertOptions;
  onCreated: () => void;
}) {
  const trpc = useTRPC();
  const kinds = alertKinds(options);
  const [kind, setKind] = useState<AlertKind>(kinds[0]?.value ?? 'SUBSCRIPTION_QUOTA');
  const [subjectId, setSubjectId] = useState('');
  const [target, setTarget] = useState('');
  const [thresholds, setThresholds] = useState('80, 100');
  const [problem, setProblem] = useState<Record<string, string>>({});
  const create = useMutation(
    trpc.alerts.create.mutationOptions({
      onSuccess: () => {
        setTarget('');
        onCreated();
      },
    }),
  );
  if (kinds.length === 0) {
    return (
      <EmptyState
        title="Subscribe an app to a plan with a monthly quota or AI budget, or publish an API, to set alerts."
        action={{ label: 'Find an API in the catalog', href: '/catalog' }}
      />
    );
  }
  const subjects = alertSubjects(kind, options);
  const subject = subjects.some((s) => s.value === subjectId) ? subjectId : (subjects[0]?.value ?? '');
  const errors = { ...fieldErrors(create.error), ...problem };

  function submit() {
    const read = readAlertForm({ kind, subjectId: subject, target, thresholds });
    setProblem(read.errors ?? {});
    if (read.draft) create.mutate({ orgSlug, ...read.draft });
  }

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <SelectField
        id="alert-kind"
        label="Watch"
        value={kind}
        options={kinds}
        onChange={(e) => setKind(e.target.value as AlertKind)}
      />
      <SelectField
        id="alert-subject"
        label={kind === 'API_REQUESTS' ? 'API' : 'Subscription'}
        value={subject}
        options={subjects}
        error={errors.subscriptionId ?? errors.apiId}
        hint={
          kind === 'SUBSCRIPTION_AI_BUDGET'
            ? 'AI spend per calendar month (UTC), counted as the gateway counts the plan’s budget.'
            : undefined
        }
        onChange={(e) => setSubjectId(e.target.value)}
      />
      {kind === 'API_REQUESTS' ? (
        <Field
          id="alert-target"
          label="Monthly request target"
          inputMode="numeric"
          value={target}
          error={errors.target}
          hint="Requests per calendar month (UTC) the percentages are of."
          onChange={(e) => setTarget(e.target.value)}
        />
      ) : null}
      <Field
        id="alert-thresholds"
        label="Thresholds (%)"
        value={thresholds}
        error={errors.thresholds}
        hint="Up to 5 percentages, e.g. 80, 100. Each one notifies once per period."
        onChange={(e) => setThresholds(e.target.value)}
      />
      <button type="submit" disabled={create.isPending || subject === ''}>
        Add alert
      </button>
      <FormMessage message={formError(create.error)} />
    </form>
  );
}
