/** Where a Bedrock credential keeps its region: a headers entry the gateway reads and never sends. */
const REGION_SETTING = 'aws-region';
/** The server's field error for the region (it validates the headers document). */
export const REGION_ERROR = `headers.${REGION_SETTING}`;

/** Extra request headers of a credential, edited as text: one `Name: value` per line. */
export function headerLines(headers: unknown, skip?: string): string {
  return Object.entries((headers ?? {}) as Record<string, string>)
    .filter(([name]) => name !== skip)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** Headers from non-blank trimmed lines; a line without a colon is a header with an empty value. */
export function parseHeaders(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    out[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? '' : line.slice(at + 1).trim();
  }
  return out;
}

export interface CredentialRow {
  id: string;
  name: string;
  provider: string;
  baseUrl: string | null;
  apiVersion: string | null;
  headers: unknown;
  secretHint: string;
  updatedAt: Date;
}

/** The add/edit form's fields; the secret is write-only and starts blank. */
export interface CredentialDraft {
  name: string;
  provider: string;
  baseUrl: string;
  apiVersion: string;
  headers: string;
  /** Bedrock's AWS region, stored as the `aws-region` setting */
  region: string;
  secret: string;
}

export function initialDraft(row?: CredentialRow): CredentialDraft {
  const bedrock = row?.provider === 'bedrock';
  const headers = (row?.headers ?? {}) as Record<string, string>;
  return {
    name: row?.name ?? '',
    provider: row?.provider ?? 'openai',
    baseUrl: row?.baseUrl ?? '',
    apiVersion: row?.apiVersion ?? '',
    headers: headerLines(headers, bedrock ? REGION_SETTING : undefined),
    region: bedrock ? (headers[REGION_SETTING] ?? '') : '',
    secret: '',
  };
}

/** After a save: an edit form keeps its fields (but never the secret); the add form starts over. */
export function draftAfterSave(draft: CredentialDraft, editing: boolean): CredentialDraft {
  return editing ? { ...draft, secret: '' } : { ...initialDraft(), provider: draft.provider };
}

/**
 * What the form sends, given the header lines (non-blank, trimmed): a blank secret on edit keeps the
 * stored one; the provider is set only on add.
 */
export function credentialInput(
  orgSlug: string,
  draft: CredentialDraft,
  headerLines: string[],
  row?: CredentialRow,
) {
  const headers = parseHeaders(headerLines);
  const provider = row?.provider ?? draft.provider;
  if (provider === 'bedrock' && draft.region.trim()) headers[REGION_SETTING] = draft.region.trim();
  const fields = {
    orgSlug,
    name: draft.name,
    baseUrl: draft.baseUrl,
    apiVersion: draft.apiVersion,
    headers,
  };
  if (row) {
    return {
      kind: 'update' as const,
      input: { ...fields, credentialId: row.id, ...(draft.secret ? { secret: draft.secret } : {}) },
    };
  }
  return { kind: 'create' as const, input: { ...fields, provider: draft.provider, secret: draft.secret } };
}

/** What the form needs to know of a provider (from `ai.providers`). */
export interface CredentialProviderInfo {
  id: string;
  needsApiVersion: boolean;
  secretKind: 'api-key' | 'service-account';
}

/** Labels and help of the fields whose meaning depends on the provider. */
export function credentialFieldText(info: CredentialProviderInfo | undefined, editing: boolean) {
  if (info?.id === 'bedrock') {
    return {
      baseUrlPlaceholder: 'https://bedrock-runtime.{region}.amazonaws.com',
      apiVersionLabel: 'API version',
      apiVersionPlaceholder: '',
      apiVersionHint: undefined,
      secretLabel: editing ? 'New AWS access keys (leave blank to keep the current ones)' : 'AWS access keys',
      secretHint:
        'ACCESS_KEY_ID:SECRET_ACCESS_KEY, with :SESSION_TOKEN appended for temporary keys (or JSON with accessKeyId, secretAccessKey, sessionToken). The IAM principal needs bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream. Stored encrypted; never shown again.',
      secretMultiline: false,
    };
  }
  if (info?.secretKind === 'service-account') {
    return {
      baseUrlPlaceholder: 'https://{region}-aiplatform.googleapis.com',
      apiVersionLabel: 'Region',
      apiVersionPlaceholder: 'us-central1',
      apiVersionHint: 'Where the models run: us-central1, europe-west4, … or global.',
      secretLabel: editing
        ? 'New service-account JSON key (leave blank to keep the current one)'
        : 'Service-account JSON key',
      secretHint:
        'Paste the whole key file (IAM → Service accounts → Keys); the project is read from it. Stored encrypted; never shown again.',
      secretMultiline: true,
    };
  }
  return {
    baseUrlPlaceholder:
      info?.id === 'azure' ? 'https://my-resource.openai.azure.com' : 'the provider default',
    apiVersionLabel: 'API version',
    apiVersionPlaceholder: '2024-10-21',
    apiVersionHint: undefined,
    secretLabel: editing ? 'New API key (leave blank to keep the current one)' : 'API key',
    secretHint: 'Stored encrypted; it is never shown again.',
    secretMultiline: false,
  };
}
