'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { lines, numberOrNull, SavedNote, TextAreaField } from '../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../trpc/client';

function SettingsForm({
  initial,
}: {
  initial: { upstreamAllowedHosts: string[]; requestLogRetentionDays: number | null };
}) {
  const trpc = useTRPC();
  const [hosts, setHosts] = useState(initial.upstreamAllowedHosts.join('\n'));
  const [days, setDays] = useState(
    initial.requestLogRetentionDays === null ? '' : String(initial.requestLogRetentionDays),
  );
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: (result) => {
        setHosts(result.upstreamAllowedHosts.join('\n'));
        setDays(result.requestLogRetentionDays === null ? '' : String(result.requestLogRetentionDays));
        setSaved(true);
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const firstHostError = Object.entries(errors).find(([key]) => key.startsWith('upstreamAllowedHosts'))?.[1];

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ upstreamAllowedHosts: lines(hosts), requestLogRetentionDays: numberOrNull(days) });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="settings-title">
      <h2 id="settings-title">Platform settings</h2>
      <TextAreaField
        id="allowed-hosts"
        label="Upstream allowed hosts"
        rows={6}
        hint="One host or host:port per line. These upstreams skip the private-address (SSRF) guard."
        placeholder="127.0.0.1:8190"
        value={hosts}
        error={firstHostError}
        onChange={(e) => {
          setHosts(e.target.value);
          setSaved(false);
        }}
      />
      <Field
        id="retention-days"
        label="Request log retention (days)"
        type="number"
        min={1}
        max={3650}
        inputMode="numeric"
        placeholder="Gateway default"
        hint="Empty: the gateway's GATEWAY_LOG_RETENTION_DAYS applies."
        value={days}
        error={errors.requestLogRetentionDays}
        onChange={(e) => {
          setDays(e.target.value);
          setSaved(false);
        }}
      />
      <FormError message={formError(save.error)} />
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
        <SavedNote show={saved && !save.isPending}>Settings saved</SavedNote>
      </div>
    </form>
  );
}

export default function AdminPage() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.settings.get.queryOptions());
  return (
    <>
      <h1>Platform administration</h1>
      <p className="muted">Operator-wide settings. Every change is recorded in the audit log.</p>
      {settings.isPending ? (
        <Loading what="Loading settings" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} />
      ) : (
        <SettingsForm initial={settings.data} />
      )}
    </>
  );
}
