'use client';

import { useState } from 'react';
import { CheckboxField, errorFor } from '~/components/config-fields';
import { slugList } from '~/components/forms/draft-text';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { Field, FormMessage } from '~/components/ui/field';

/** One SSRF exemption as edited here: for the organizations listed (slugs), or for every tenant. */
export interface HostDraft {
  host: string;
  allTenants: boolean;
  orgSlugs: string[];
}

const ALL_TENANTS_WARNING =
  "Every organization's APIs and AI credentials will be able to reach this host, and whatever private service answers there. Choose this only for a service meant for all tenants.";

function AppliesTo({ entry }: { entry: HostDraft }) {
  if (entry.allTenants) return <Badge tone="warn">All tenants</Badge>;
  if (entry.orgSlugs.length === 0) return <Badge tone="danger">Nobody: add organizations</Badge>;
  return <>{entry.orgSlugs.join(', ')}</>;
}

/** The list of entries, each removable. */
export function AllowedHostList({
  entries,
  onRemove,
}: {
  entries: HostDraft[];
  onRemove: (host: string) => void;
}) {
  if (entries.length === 0) {
    const why = 'Loopback and private upstreams are refused for every organization.';
    return <EmptyState title="No host is allowed" description={`${why} Allow a host below.`} />;
  }
  const columns: ColumnDef<HostDraft>[] = [
    { id: 'host', header: 'Host', accessorKey: 'host', cell: ({ row }) => <code>{row.original.host}</code> },
    {
      id: 'applies',
      header: 'Applies to',
      enableSorting: false,
      cell: ({ row }) => <AppliesTo entry={row.original} />,
    },
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row }) => (
        <Button variant="danger" size="sm" onClick={() => onRemove(row.original.host)}>
          Remove<span className="sr-only"> {row.original.host}</span>
        </Button>
      ),
    },
  ];
  return <DataTable label="Allowed hosts" columns={columns} data={entries} getRowId={(row) => row.host} />;
}

const EMPTY = { host: '', orgs: '', allTenants: false };

/** Adds an entry (or replaces the one for the same host); all tenants is a checkbox with its consequence spelled out. */
export function AddAllowedHost({
  onAdd,
  errors,
}: {
  onAdd: (entry: HostDraft) => void;
  errors: Record<string, string>;
}) {
  const [{ host, orgs, allTenants }, setDraft] = useState(EMPTY);
  const set = (change: Partial<typeof EMPTY>) => setDraft((draft) => ({ ...draft, ...change }));
  const [problem, setProblem] = useState<string | undefined>();

  function add() {
    const slugs = slugList(orgs);
    if (!host.trim()) return setProblem('Enter a host or host:port');
    if (!allTenants && slugs.length === 0) return setProblem('Name the organizations, or choose all tenants');
    onAdd({ host: host.trim().toLowerCase(), allTenants, orgSlugs: allTenants ? [] : slugs });
    setDraft(EMPTY);
    setProblem(undefined);
  }

  return (
    <fieldset className="group">
      <legend>Allow a host</legend>
      <div className="row">
        <Field
          id="allow-host"
          label="Host"
          placeholder="127.0.0.1:8190"
          hint="host or host:port, no scheme or path"
          value={host}
          error={problem ?? errorFor(errors, 'upstreamAllowedHosts')}
          onChange={(e) => set({ host: e.target.value })}
        />
        <Field
          id="allow-orgs"
          label="Organizations"
          placeholder="acme, globex"
          hint="Organization slugs, comma-separated: only their APIs and AI credentials may reach the host"
          value={orgs}
          disabled={allTenants}
          onChange={(e) => set({ orgs: e.target.value })}
        />
      </div>
      <CheckboxField
        id="allow-all"
        label="All tenants"
        checked={allTenants}
        onChange={(all) => set({ allTenants: all })}
      />
      <FormMessage message={allTenants ? ALL_TENANTS_WARNING : null} />
      <Button onClick={add}>Add host</Button>
    </fieldset>
  );
}
