'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { SelectField } from '../../../../../../components/config-fields';
import { ErrorState, Field, Loading } from '../../../../../../components/form';
import { fieldErrors, useTRPC } from '../../../../../../trpc/client';

type Cursor = { at: Date; id: string };
const DAY = 86_400_000;
const dateInput = (d: Date) => d.toISOString().slice(0, 10);
const parseDay = (text: string) => (text ? new Date(`${text}T00:00:00.000Z`) : undefined);
const time = (d: Date) => new Date(d).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });

function CallDetail({ orgSlug, id, at }: { orgSlug: string; id: string; at: Date }) {
  const trpc = useTRPC();
  const call = useQuery(trpc.ai.callDetail.queryOptions({ orgSlug, id, at }));
  if (call.isPending) return <Loading what="Loading bodies" />;
  if (call.isError) return <ErrorState error={call.error} />;
  return (
    <div>
      <h4>Request</h4>
      <pre className="code">{call.data.requestBody ?? 'not stored'}</pre>
      <h4>Response</h4>
      <pre className="code">{call.data.responseBody ?? 'not stored'}</pre>
    </div>
  );
}

function UsageSummary({ orgSlug, apiId }: { orgSlug: string; apiId?: string }) {
  const trpc = useTRPC();
  const [to] = useState(() => new Date(Math.ceil(Date.now() / DAY) * DAY));
  const [days, setDays] = useState('30');
  const from = new Date(to.getTime() - Number(days) * DAY);
  const summary = useQuery(
    trpc.ai.usageSummary.queryOptions(
      { orgSlug, from, to, ...(apiId ? { apiId } : {}) },
      { placeholderData: keepPreviousData },
    ),
  );
  return (
    <section aria-labelledby="usage-title" className="card">
      <div className="row">
        <h3 id="usage-title">Usage by model</h3>
        <SelectField
          id="usage-days"
          label="Period"
          value={days}
          options={[
            { value: '1', label: 'Today (UTC)' },
            { value: '7', label: 'Last 7 days' },
            { value: '30', label: 'Last 30 days' },
            { value: '90', label: 'Last 90 days' },
          ]}
          onChange={(e) => setDays(e.target.value)}
        />
      </div>
      {summary.isPending ? (
        <Loading what="Loading usage" />
      ) : summary.isError ? (
        <ErrorState error={summary.error} />
      ) : summary.data.models.length === 0 ? (
        <p className="empty">No AI calls in this period.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table stack" aria-label="Totals per model">
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Calls</th>
                  <th>Tokens in</th>
                  <th>Tokens out</th>
                  <th>Cost (USD)</th>
                </tr>
              </thead>
              <tbody>
                {summary.data.models.map((m) => (
                  <tr key={m.model}>
                    <td data-label="Model">{m.model}</td>
                    <td data-label="Calls">{m.calls}</td>
                    <td data-label="Tokens in">{m.tokensIn.toLocaleString()}</td>
                    <td data-label="Tokens out">{m.tokensOut.toLocaleString()}</td>
                    <td data-label="Cost (USD)">${m.costUsd}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details>
            <summary>Per day</summary>
            <div className="table-wrap">
              <table className="table stack" aria-label="Usage per day and model">
                <thead>
                  <tr>
                    <th>Day (UTC)</th>
                    <th>Model</th>
                    <th>Calls</th>
                    <th>Errors</th>
                    <th>Tokens in</th>
                    <th>Tokens out</th>
                    <th>Cost (USD)</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.data.days.map((d) => (
                    <tr key={`${d.day}-${d.model}`}>
                      <td data-label="Day">{d.day}</td>
                      <td data-label="Model">{d.model}</td>
                      <td data-label="Calls">{d.calls}</td>
                      <td data-label="Errors">{d.errors}</td>
                      <td data-label="Tokens in">{d.tokensIn.toLocaleString()}</td>
                      <td data-label="Tokens out">{d.tokensOut.toLocaleString()}</td>
                      <td data-label="Cost">${d.costUsd}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

export function CallLogSection({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const apis = useQuery(trpc.api.list.queryOptions({ orgSlug }));
  const models = useQuery(trpc.ai.callModels.queryOptions({ orgSlug }));
  const [filters, setFilters] = useState({ apiId: '', model: '', status: '', from: '', to: '' });
  const [cursors, setCursors] = useState<Cursor[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const cursor = cursors.at(-1);
  const from = parseDay(filters.from);
  const to = filters.to ? new Date((parseDay(filters.to)?.getTime() ?? 0) + DAY) : undefined;
  const query = {
    orgSlug,
    limit: 50,
    ...(filters.apiId ? { apiId: filters.apiId } : {}),
    ...(filters.model ? { model: filters.model } : {}),
    ...(filters.status.trim() ? { status: filters.status.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const calls = useQuery(trpc.ai.calls.queryOptions(query, { placeholderData: keepPreviousData }));
  const errors = fieldErrors(calls.error);
  const set = (key: keyof typeof filters, value: string) => {
    setCursors([]);
    setFilters((f) => ({ ...f, [key]: value }));
  };
  const aiApis = (apis.data ?? []).filter((a) => a.kind !== 'REST');
  return (
    <section aria-labelledby="calls-title">
      <h2 id="calls-title">Call log</h2>
      <UsageSummary orgSlug={orgSlug} {...(filters.apiId ? { apiId: filters.apiId } : {})} />
      <search className="row" aria-label="Filter calls">
        <SelectField
          id="calls-api"
          label="API"
          value={filters.apiId}
          options={[
            { value: '', label: 'All AI APIs' },
            ...aiApis.map((a) => ({ value: a.id, label: a.name })),
          ]}
          onChange={(e) => set('apiId', e.target.value)}
        />
        <SelectField
          id="calls-model"
          label="Model"
          value={filters.model}
          options={[
            { value: '', label: 'All models' },
            ...(models.data ?? []).map((m) => ({ value: m, label: m })),
          ]}
          onChange={(e) => set('model', e.target.value)}
        />
        <Field
          id="calls-status"
          label="Status"
          placeholder="429 or 5xx"
          value={filters.status}
          error={errors.status}
          onChange={(e) => set('status', e.target.value)}
        />
        <Field
          id="calls-from"
          label="From"
          type="date"
          value={filters.from}
          error={errors.from}
          onChange={(e) => set('from', e.target.value)}
        />
        <Field
          id="calls-to"
          label="To"
          type="date"
          value={filters.to}
          error={errors.to}
          onChange={(e) => set('to', e.target.value)}
          max={dateInput(new Date())}
        />
      </search>
      {calls.isPending ? (
        <Loading what="Loading calls" />
      ) : calls.isError && Object.keys(errors).length === 0 ? (
        <ErrorState error={calls.error} />
      ) : !calls.data || calls.data.items.length === 0 ? (
        <p className="empty">No AI calls match.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack" aria-label="AI calls">
            <thead>
              <tr>
                <th>Time</th>
                <th>API</th>
                <th>Model</th>
                <th>Provider</th>
                <th>Status</th>
                <th>Tokens in / out</th>
                <th>Cost (USD)</th>
                <th>Latency</th>
                <th>Bodies</th>
              </tr>
            </thead>
            <tbody>
              {calls.data.items.map((c) => (
                <tr key={c.id}>
                  <td data-label="Time">{time(c.at)}</td>
                  <td data-label="API">{c.apiName ?? c.apiId}</td>
                  <td data-label="Model">
                    {c.model}
                    {c.providerModel && c.providerModel !== c.model ? (
                      <span className="muted"> → {c.providerModel}</span>
                    ) : null}
                  </td>
                  <td data-label="Provider">{c.provider ?? '—'}</td>
                  <td data-label="Status">
                    {c.status}
                    {c.errorCode ? <span className="muted"> {c.errorCode}</span> : null}
                  </td>
                  <td data-label="Tokens">
                    {c.tokensIn} / {c.tokensOut}
                    {c.tokensEstimated ? (
                      <span className="muted" title="estimated by a tokenizer">
                        {' '}
                        ≈
                      </span>
                    ) : null}
                  </td>
                  <td data-label="Cost">${c.costUsd}</td>
                  <td data-label="Latency">
                    {c.latencyMs} ms
                    {c.ttftMs !== null ? <span className="muted"> (first token {c.ttftMs} ms)</span> : null}
                  </td>
                  <td data-label="Bodies">
                    {c.hasBodies ? (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          aria-expanded={open === c.id}
                          onClick={() => setOpen(open === c.id ? null : c.id)}
                        >
                          {open === c.id ? 'Hide' : 'Show'}
                        </button>
                        {open === c.id ? <CallDetail orgSlug={orgSlug} id={c.id} at={c.at} /> : null}
                      </>
                    ) : (
                      <span className="muted">not logged</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!calls.data?.nextCursor}
          onClick={() => {
            const next = calls.data?.nextCursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Older
        </button>
      </div>
    </section>
  );
}
