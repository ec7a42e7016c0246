/** Extra request headers of a credential, edited as text: one `Name: value` per line. */
export function headerLines(headers: unknown): string {
  return Object.entries((headers ?? {}) as Record<string, string>)
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
  secret: string;
}

export function initialDraft(row?: CredentialRow): CredentialDraft {
  return {
    name: row?.name ?? '',
    provider: row?.provider ?? 'openai',
    baseUrl: row?.baseUrl ?? '',
    apiVersion: row?.apiVersion ?? '',
    headers: headerLines(row?.headers),
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
  const fields = {
    orgSlug,
    name: draft.name,
    baseUrl: draft.baseUrl,
    apiVersion: draft.apiVersion,
    headers: parseHeaders(headerLines),
  };
  if (row) {
    return {
      kind: 'update' as const,
      input: { ...fields, credentialId: row.id, ...(draft.secret ? { secret: draft.secret } : {}) },
    };
  }
  return { kind: 'create' as const, input: { ...fields, provider: draft.provider, secret: draft.secret } };
}
