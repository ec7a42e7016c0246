'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { numberOrNull, SavedNote } from '../../../components/config-fields';
import { fieldErrors, formError, useTRPC } from '../../../trpc/client';
import { AddAllowedHost, AllowedHostList, type HostDraft } from './_components/allowed-hosts';

interface Settings {
  upstreamAllowedHosts: Array<{ host: string; allTenants: boolean; orgs: Array<{ slug: string }> }>;
  requestLogRetentionDays: number | null;
}

const drafts = (settings: Settings): HostDraft[] =>
  settings.upstreamAllowedHosts.map((entry) => ({
    host: entry.host,
    allTenants: entry.allTenants,
    orgSlugs: entry.orgs.map((org) => org.slug),
  }));

function SettingsForm({ initial }: { initial: Settings }) {
  const trpc = useTRPC();
  const [hosts, setHosts] = useState(drafts(initial));
  const [days, setDays] = useState(
    initial.requestLogRetentionDays === null ? '' : String(initial.requestLogRetentionDays),
  );
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: (result) => {
        setHosts(drafts(result));
        setDays(result.requestLogRetentionDays === null ? '' : String(result.requestLogRetentionDays));
        setSaved(true);
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const edit = (next: HostDraft[]) => {
    setHosts(next);
    setSaved(false);
  };

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ upstreamAllowedHosts: hosts, requestLogRetentionDays: numberOrNull(days) });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="settings-title">
      <h2 id="settings-title">Platform settings</h2>
      <h3>Upstream allowed hosts</h3>
      <p className="hint">
        These hosts skip the private-address (SSRF) guard for the organizations they name: their APIs'
        upstreams and their AI credentials' endpoints. Every other organization is still refused.
      </p>
      <AllowedHostList entries={hosts} onRemove={(host) => edit(hosts.filter((h) => h.host !== host))} />
      <AddAllowedHost
        errors={errors}
        onAdd={(entry) => edit([...hosts.filter((h) => h.host !== entry.host), entry])}
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
      <FormMessage message={formError(save.error)} />
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
      <QueryState query={settings} pendingLabel="Loading settings">
        {(data) => <SettingsForm initial={data} />}
      </QueryState>
    </>
  );
}
