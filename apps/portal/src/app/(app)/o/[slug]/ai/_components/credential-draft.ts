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

export function endpointPlaceholder(provider: string): string {
  if (provider === 'azure') return 'https://my-resource.openai.azure.com';
  if (provider === 'bedrock') return 'https://bedrock-runtime.<region>.amazonaws.com';
  return 'the provider default';
}

/** How the secret field asks for the provider's key: Bedrock takes an AWS access key pair. */
export function secretField(provider: string, editing: boolean) {
  if (provider === 'bedrock') {
    return {
      label: editing ? 'New AWS access keys (leave blank to keep the current ones)' : 'AWS access keys',
      placeholder: 'ACCESS_KEY_ID:SECRET_ACCESS_KEY',
      hint: 'ACCESS_KEY_ID:SECRET_ACCESS_KEY, with :SESSION_TOKEN appended for temporary keys (or JSON with accessKeyId, secretAccessKey, sessionToken). The IAM user needs bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream. Stored encrypted; never shown again.',
    };
  }
  return {
    label: editing ? 'New API key (leave blank to keep the current one)' : 'API key',
    placeholder: undefined,
    hint: 'Stored encrypted; it is never shown again.',
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
