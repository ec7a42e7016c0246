import type { ApiCreateInput } from '@portcullis/core/schemas';

/** What the new-API form starts with: a public REST API. */
export const NEW_API = {
  name: '',
  slug: '',
  kind: 'REST' as 'REST' | 'AI' | 'PROMPT' | 'MCP',
  upstreamUrl: '',
  description: '',
  visibility: 'PUBLIC' as 'PRIVATE' | 'ORG' | 'PUBLIC',
  openapiDocument: '',
};

/** A blank document is no document: the API is created without a reference. */
export function withoutBlankDocument<T extends Pick<ApiCreateInput, 'openapiDocument'>>(input: T): T {
  return input.openapiDocument?.trim() ? input : { ...input, openapiDocument: undefined };
}

export const KINDS = [
  { value: 'REST', label: 'REST API (proxied to an upstream)' },
  { value: 'AI', label: 'AI gateway (OpenAI/Anthropic-compatible, over your model routes)' },
  { value: 'PROMPT', label: 'Prompt API (a prompt called as REST)' },
  { value: 'MCP', label: 'MCP server (an upstream MCP server offered with your keys and limits)' },
];

export const VISIBILITIES = [
  { value: 'PRIVATE', label: 'PRIVATE' },
  { value: 'ORG', label: 'ORG' },
  { value: 'PUBLIC', label: 'PUBLIC' },
];
