import { describe, expect, it } from 'vitest';
import {
  credentialFieldText,
  credentialInput,
  draftAfterSave,
  headerLines,
  initialDraft,
  parseHeaders,
} from './credential-draft';

describe('credential headers', () => {
  it('parses one header per line', () => {
    expect(parseHeaders(['OpenAI-Organization: org-1', 'X-Tag :  a:b', 'X-Empty'])).toEqual({
      'OpenAI-Organization': 'org-1',
      'X-Tag': 'a:b',
      'X-Empty': '',
    });
    expect(parseHeaders([])).toEqual({});
  });

  it('prints stored headers back as lines that parse to the same', () => {
    const headers = { 'OpenAI-Organization': 'org-1', 'X-Tag': 'a:b' };
    expect(headerLines(headers)).toBe('OpenAI-Organization: org-1\nX-Tag: a:b');
    expect(parseHeaders(headerLines(headers).split('\n'))).toEqual(headers);
    expect(headerLines(null)).toBe('');
  });
});

const row = {
  id: 'c1',
  name: 'Main',
  provider: 'azure',
  baseUrl: 'https://x.openai.azure.com',
  apiVersion: '2024-10-21',
  headers: { 'X-Tag': 'a' },
  secretHint: 'abcd',
  updatedAt: new Date('2026-12-01T00:00:00Z'),
};

describe('credential drafts', () => {
  it('starts an edit from the row, with a blank secret', () => {
    expect(initialDraft(row)).toEqual({
      name: 'Main',
      provider: 'azure',
      baseUrl: 'https://x.openai.azure.com',
      apiVersion: '2024-10-21',
      headers: 'X-Tag: a',
      region: '',
      secret: '',
    });
    expect(initialDraft().provider).toBe('openai');
  });

  it('clears the secret after a save, and the whole add form but its provider', () => {
    const draft = { ...initialDraft(row), secret: 'sk-1' };
    expect(draftAfterSave(draft, true)).toEqual({ ...draft, secret: '' });
    expect(draftAfterSave(draft, false)).toEqual({ ...initialDraft(), provider: 'azure' });
  });

  it('sends the secret on edit only when a new one is typed', () => {
    const draft = initialDraft(row);
    const kept = credentialInput('acme', draft, ['X-Tag: a'], row);
    expect(kept).toEqual({
      kind: 'update',
      input: {
        orgSlug: 'acme',
        name: 'Main',
        baseUrl: 'https://x.openai.azure.com',
        apiVersion: '2024-10-21',
        headers: { 'X-Tag': 'a' },
        credentialId: 'c1',
      },
    });
    expect(credentialInput('acme', { ...draft, secret: 'sk-2' }, [], row).input).toMatchObject({
      secret: 'sk-2',
    });
    expect(credentialInput('acme', { ...initialDraft(), name: 'New', secret: 'sk-3' }, [])).toEqual({
      kind: 'create',
      input: {
        orgSlug: 'acme',
        name: 'New',
        baseUrl: '',
        apiVersion: '',
        headers: {},
        provider: 'openai',
        secret: 'sk-3',
      },
    });
  });
});

describe('Bedrock credential drafts', () => {
  const bedrockRow = {
    ...row,
    provider: 'bedrock',
    baseUrl: null,
    apiVersion: null,
    headers: { 'aws-region': 'eu-west-1', 'X-Team': 'ml' },
  };

  it('edits the region in its own field, apart from the extra headers', () => {
    expect(initialDraft(bedrockRow)).toMatchObject({ region: 'eu-west-1', headers: 'X-Team: ml' });
  });

  it('sends the region as the aws-region setting beside the extra headers', () => {
    const draft = { ...initialDraft(bedrockRow), region: ' us-east-1 ' };
    expect(credentialInput('acme', draft, ['X-Team: ml'], bedrockRow).input.headers).toEqual({
      'X-Team': 'ml',
      'aws-region': 'us-east-1',
    });
    const created = credentialInput(
      'acme',
      { ...initialDraft(), provider: 'bedrock', region: 'us-west-2' },
      [],
    );
    expect(created.input.headers).toEqual({ 'aws-region': 'us-west-2' });
    // other providers have no region
    expect(credentialInput('acme', { ...initialDraft(), region: 'us-west-2' }, []).input.headers).toEqual({});
  });

  it('asks for AWS access keys instead of an API key', () => {
    const text = credentialFieldText({ id: 'bedrock', needsApiVersion: false, secretKind: 'api-key' }, false);
    expect(text).toMatchObject({ secretLabel: 'AWS access keys', secretMultiline: false });
    expect(text.secretHint).toContain(':SESSION_TOKEN');
    expect(text.baseUrlPlaceholder).toBe('https://bedrock-runtime.{region}.amazonaws.com');
  });
});

describe('credential field text', () => {
  it('asks Vertex AI for a region and a pasted service-account JSON key', () => {
    const vertex = { id: 'vertex', needsApiVersion: true, secretKind: 'service-account' as const };
    const text = credentialFieldText(vertex, false);
    expect(text).toMatchObject({
      apiVersionLabel: 'Region',
      apiVersionPlaceholder: 'us-central1',
      secretMultiline: true,
    });
    expect(text.secretLabel).toBe('Service-account JSON key');
    expect(credentialFieldText(vertex, true).secretLabel).toMatch(/leave blank to keep/);
  });

  it('asks other providers for an API key (and Azure for an api-version)', () => {
    const azure = credentialFieldText({ id: 'azure', needsApiVersion: true, secretKind: 'api-key' }, false);
    expect(azure).toMatchObject({
      apiVersionLabel: 'API version',
      secretLabel: 'API key',
      secretMultiline: false,
    });
    expect(azure.baseUrlPlaceholder).toContain('openai.azure.com');
    expect(credentialFieldText(undefined, false).secretLabel).toBe('API key');
  });
});
