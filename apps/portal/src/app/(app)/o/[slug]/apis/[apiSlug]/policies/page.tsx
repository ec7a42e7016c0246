'use client';

import type { ApiPolicies, HeaderTransform } from '@portcullis/core/policies';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  CheckboxField,
  errorFor,
  formatPairs,
  lines,
  MethodChecks,
  parsePairs,
  SavedNote,
  SelectField,
  TextAreaField,
} from '../../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { FIX_FIELDS } from '../_components/messages';

interface HeaderDraft {
  add: string;
  remove: string;
  rename: string;
}

const headerDraft = (t: HeaderTransform): HeaderDraft => ({
  add: formatPairs(t.add),
  remove: t.remove.join('\n'),
  rename: formatPairs(t.rename),
});
const headerDoc = (d: HeaderDraft): HeaderTransform => ({
  add: parsePairs(d.add),
  remove: lines(d.remove, true),
  rename: parsePairs(d.rename),
});

function draftOf(p: ApiPolicies) {
  return {
    ipAllow: p.ipAllow.join('\n'),
    ipDeny: p.ipDeny.join('\n'),
    corsEnabled: p.cors.enabled,
    corsOrigins: p.cors.allowOrigins.join('\n'),
    corsMethods: p.cors.allowMethods,
    corsHeaders: p.cors.allowHeaders.join(', '),
    corsExpose: p.cors.exposeHeaders.join(', '),
    corsCredentials: p.cors.allowCredentials,
    corsMaxAge: String(p.cors.maxAgeSeconds),
    maxBodyBytes: String(p.maxBodyBytes),
    maxHeaderCount: String(p.maxHeaderCount),
    maxHeaderBytes: String(p.maxHeaderBytes),
    validateRequests: p.validateRequests,
    requestHeaders: headerDraft(p.requestHeaders),
    responseHeaders: headerDraft(p.responseHeaders),
    allowedMethods: p.allowedMethods,
    cacheEnabled: p.cache.enabled,
    cacheTtl: String(p.cache.ttlSeconds),
    cachePublic: p.cache.public,
    redisFailureMode: p.redisFailureMode,
  };
}
type Draft = ReturnType<typeof draftOf>;

function documentOf(d: Draft): ApiPolicies {
  return {
    ipAllow: lines(d.ipAllow),
    ipDeny: lines(d.ipDeny),
    cors: {
      enabled: d.corsEnabled,
      allowOrigins: lines(d.corsOrigins),
      allowMethods: d.corsMethods,
      allowHeaders: lines(d.corsHeaders, true),
      exposeHeaders: lines(d.corsExpose, true),
      allowCredentials: d.corsCredentials,
      maxAgeSeconds: Number(d.corsMaxAge),
    },
    maxBodyBytes: Number(d.maxBodyBytes),
    maxHeaderCount: Number(d.maxHeaderCount),
    maxHeaderBytes: Number(d.maxHeaderBytes),
    validateRequests: d.validateRequests,
    requestHeaders: headerDoc(d.requestHeaders),
    responseHeaders: headerDoc(d.responseHeaders),
    allowedMethods: d.allowedMethods,
    cache: { enabled: d.cacheEnabled, ttlSeconds: Number(d.cacheTtl), public: d.cachePublic },
    redisFailureMode: d.redisFailureMode,
  };
}

function HeaderFields({
  prefix,
  title,
  value,
  onChange,
  errors,
  disabled,
}: {
  prefix: 'requestHeaders' | 'responseHeaders';
  title: string;
  value: HeaderDraft;
  onChange: (value: HeaderDraft) => void;
  errors: Record<string, string>;
  disabled: boolean;
}) {
  return (
    <fieldset className="group">
      <legend>{title}</legend>
      <div className="row">
        <TextAreaField
          id={`${prefix}-add`}
          label="Set headers"
          hint="One per line: name: value"
          value={value.add}
          disabled={disabled}
          error={errorFor(errors, `${prefix}.add`)}
          onChange={(e) => onChange({ ...value, add: e.target.value })}
        />
        <TextAreaField
          id={`${prefix}-remove`}
          label="Remove headers"
          hint="One name per line"
          value={value.remove}
          disabled={disabled}
          error={errorFor(errors, `${prefix}.remove`)}
          onChange={(e) => onChange({ ...value, remove: e.target.value })}
        />
        <TextAreaField
          id={`${prefix}-rename`}
          label="Rename headers"
          hint="One per line: from: to"
          value={value.rename}
          disabled={disabled}
          error={errorFor(errors, `${prefix}.rename`)}
          onChange={(e) => onChange({ ...value, rename: e.target.value })}
        />
      </div>
      {errorFor(errors, prefix) &&
      !errorFor(errors, `${prefix}.add`, `${prefix}.remove`, `${prefix}.rename`) ? (
        <p className="field-error">{errorFor(errors, prefix)}</p>
      ) : null}
    </fieldset>
  );
}

function PoliciesForm({
  orgSlug,
  apiId,
  initial,
  canWrite,
}: {
  orgSlug: string;
  apiId: string;
  initial: ApiPolicies;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(() => draftOf(initial));
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.policy.updatePolicies.mutationOptions({
      onSuccess: (result) => {
        setDraft(draftOf(result.policies));
        setSaved(true);
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const off = !canWrite;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ orgSlug, apiId, ...documentOf(draft) });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="policies-title">
      <h2 id="policies-title">Request policies</h2>
      <fieldset className="group">
        <legend>IP rules</legend>
        <div className="row">
          <TextAreaField
            id="ip-allow"
            label="IP allow list"
            hint="One IP or CIDR per line. When set, only these clients may call."
            placeholder="203.0.113.0/24"
            value={draft.ipAllow}
            disabled={off}
            error={errorFor(errors, 'ipAllow')}
            onChange={(e) => set('ipAllow', e.target.value)}
          />
          <TextAreaField
            id="ip-deny"
            label="IP deny list"
            hint="One IP or CIDR per line. Always refused (403)."
            placeholder="198.51.100.7/32"
            value={draft.ipDeny}
            disabled={off}
            error={errorFor(errors, 'ipDeny')}
            onChange={(e) => set('ipDeny', e.target.value)}
          />
        </div>
      </fieldset>

      <fieldset className="group">
        <legend>Requests</legend>
        <MethodChecks
          idPrefix="allowed-method"
          legend="Allowed methods"
          hint="None checked: every method is allowed."
          selected={draft.allowedMethods}
          disabled={off}
          error={errorFor(errors, 'allowedMethods')}
          onChange={(methods) => set('allowedMethods', methods)}
        />
        <div className="row">
          <Field
            id="max-body-bytes"
            label="Max body (bytes)"
            type="number"
            min={0}
            inputMode="numeric"
            value={draft.maxBodyBytes}
            disabled={off}
            error={errors.maxBodyBytes}
            onChange={(e) => set('maxBodyBytes', e.target.value)}
          />
          <Field
            id="max-header-count"
            label="Max header count"
            type="number"
            min={1}
            inputMode="numeric"
            value={draft.maxHeaderCount}
            disabled={off}
            error={errors.maxHeaderCount}
            onChange={(e) => set('maxHeaderCount', e.target.value)}
          />
          <Field
            id="max-header-bytes"
            label="Max header size (bytes)"
            type="number"
            min={256}
            inputMode="numeric"
            value={draft.maxHeaderBytes}
            disabled={off}
            error={errors.maxHeaderBytes}
            onChange={(e) => set('maxHeaderBytes', e.target.value)}
          />
        </div>
        <CheckboxField
          id="validate-requests"
          label="Validate requests against the OpenAPI document"
          checked={draft.validateRequests}
          disabled={off}
          error={errors.validateRequests}
          onChange={(v) => set('validateRequests', v)}
        />
      </fieldset>

      <fieldset className="group">
        <legend>CORS</legend>
        <CheckboxField
          id="cors-enabled"
          label="Answer CORS requests"
          checked={draft.corsEnabled}
          disabled={off}
          onChange={(v) => set('corsEnabled', v)}
        />
        <TextAreaField
          id="cors-origins"
          label="Allowed origins"
          hint="One per line, e.g. https://app.example.com, or * for any origin."
          value={draft.corsOrigins}
          disabled={off}
          error={errorFor(errors, 'cors.allowOrigins')}
          onChange={(e) => set('corsOrigins', e.target.value)}
        />
        <MethodChecks
          idPrefix="cors-method"
          legend="Allowed CORS methods"
          selected={draft.corsMethods}
          disabled={off}
          error={errorFor(errors, 'cors.allowMethods')}
          onChange={(methods) => set('corsMethods', methods)}
        />
        <div className="row">
          <Field
            id="cors-headers"
            label="Allowed request headers"
            hint="Comma-separated"
            value={draft.corsHeaders}
            disabled={off}
            error={errorFor(errors, 'cors.allowHeaders')}
            onChange={(e) => set('corsHeaders', e.target.value)}
          />
          <Field
            id="cors-expose"
            label="Exposed response headers"
            hint="Comma-separated"
            value={draft.corsExpose}
            disabled={off}
            error={errorFor(errors, 'cors.exposeHeaders')}
            onChange={(e) => set('corsExpose', e.target.value)}
          />
          <Field
            id="cors-max-age"
            label="Preflight max age (seconds)"
            type="number"
            min={0}
            inputMode="numeric"
            value={draft.corsMaxAge}
            disabled={off}
            error={errors['cors.maxAgeSeconds']}
            onChange={(e) => set('corsMaxAge', e.target.value)}
          />
        </div>
        <CheckboxField
          id="cors-credentials"
          label="Allow credentials"
          checked={draft.corsCredentials}
          disabled={off}
          error={errors['cors.allowCredentials']}
          onChange={(v) => set('corsCredentials', v)}
        />
      </fieldset>

      <HeaderFields
        prefix="requestHeaders"
        title="Request headers (to the upstream)"
        value={draft.requestHeaders}
        errors={errors}
        disabled={off}
        onChange={(v) => set('requestHeaders', v)}
      />
      <HeaderFields
        prefix="responseHeaders"
        title="Response headers (to the client)"
        value={draft.responseHeaders}
        errors={errors}
        disabled={off}
        onChange={(v) => set('responseHeaders', v)}
      />

      <fieldset className="group">
        <legend>Cache</legend>
        <CheckboxField
          id="cache-enabled"
          label="Cache responses"
          checked={draft.cacheEnabled}
          disabled={off}
          onChange={(v) => set('cacheEnabled', v)}
        />
        <div className="row">
          <Field
            id="cache-ttl"
            label="Cache TTL (seconds)"
            type="number"
            min={1}
            inputMode="numeric"
            value={draft.cacheTtl}
            disabled={off}
            error={errors['cache.ttlSeconds']}
            onChange={(e) => set('cacheTtl', e.target.value)}
          />
        </div>
        <CheckboxField
          id="cache-public"
          label="Shared cache (one response serves every consumer)"
          checked={draft.cachePublic}
          disabled={off}
          onChange={(v) => set('cachePublic', v)}
        />
      </fieldset>

      <SelectField
        id="redis-failure-mode"
        label="When Redis is unreachable"
        value={draft.redisFailureMode}
        disabled={off}
        error={errors.redisFailureMode}
        options={[
          { value: 'local', label: 'Limit locally per gateway (local)' },
          { value: 'allow', label: 'Let requests through unlimited (allow)' },
          { value: 'deny', label: 'Refuse requests (deny)' },
        ]}
        onChange={(e) => set('redisFailureMode', e.target.value as Draft['redisFailureMode'])}
      />

      <FormError message={formError(save.error) ?? (save.error ? FIX_FIELDS : null)} />
      {canWrite ? (
        <div className="form-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save policies'}
          </button>
          <SavedNote show={saved && !save.isPending}>Policies saved</SavedNote>
        </div>
      ) : (
        <p className="muted">Only owners and admins can change policies.</p>
      )}
    </form>
  );
}

export default function ApiPoliciesPage() {
  const { slug, apiSlug, config } = useApiConfig();
  if (config.isPending) return <Loading what="Loading policies" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const data = config.data;
  return (
    <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="policies">
      <PoliciesForm
        key={data.id}
        orgSlug={slug}
        apiId={data.id}
        initial={data.policies}
        canWrite={data.canWrite}
      />
    </ApiConfigFrame>
  );
}
