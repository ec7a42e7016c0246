import { parseUpstreamConfig } from '@portcullis/core/policies';
import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../../components/forms/draft-text';
import { toUpstreamDraft, upstreamErrorField, ZUpstreamForm } from './upstream-draft';

const URL = 'https://api.example.com';

describe('upstream draft', () => {
  it('round-trips a full document through the form unchanged', () => {
    const model = parseUpstreamConfig({
      targets: [{ url: 'https://b.example.com/', weight: 30 }],
      loadBalancing: 'least-connections',
      versions: {
        v2: [
          { url: 'https://v2.example.com/', weight: 100 },
          { url: 'https://v2b.example.com/', weight: 5 },
        ],
      },
      timeouts: { connectMs: 1000, responseMs: 2000, idleMs: 3000 },
      retries: { attempts: 2, budgetPercent: 12.5 },
      healthCheck: {
        enabled: true,
        path: '/ping',
        intervalMs: 1000,
        healthyThreshold: 3,
        unhealthyThreshold: 4,
      },
      circuitBreaker: {
        enabled: false,
        consecutiveFailures: 7,
        errorRatePercent: 40,
        windowSize: 30,
        openMs: 500,
      },
    });
    const result = parseDraft(ZUpstreamForm, toUpstreamDraft(URL, model));
    expect(result).toEqual({ ok: true, input: { upstreamUrl: URL, ...model } });
  });

  it('round-trips the empty document (defaults, no targets or versions)', () => {
    const model = parseUpstreamConfig({});
    const result = parseDraft(ZUpstreamForm, toUpstreamDraft(URL, model));
    expect(result).toEqual({ ok: true, input: { upstreamUrl: URL, ...model } });
  });

  it('gives invalid and empty numbers a field error instead of NaN', () => {
    const draft = toUpstreamDraft(URL, parseUpstreamConfig({ targets: [{ url: 'https://b.example.com' }] }));
    draft.timeouts.connectMs = 'abc';
    draft.retries.attempts = '';
    draft.targets[0] = { url: 'https://b.example.com', weight: '1e' };
    const result = parseDraft(ZUpstreamForm, draft);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      'timeouts.connectMs': 'Enter a number',
      'retries.attempts': 'Enter a number',
      'targets.0.weight': 'Enter a number',
    });
  });

  it("names the server's range errors by the form's fields", () => {
    const draft = toUpstreamDraft(URL, parseUpstreamConfig({}));
    draft.timeouts.connectMs = '5';
    const result = parseDraft(ZUpstreamForm, draft);
    expect(result.ok ? [] : Object.keys(result.errors)).toEqual(['timeouts.connectMs']);
  });

  it('checks version rows: names, weights and duplicates', () => {
    const draft = toUpstreamDraft(URL, parseUpstreamConfig({}));
    draft.versions = [
      { name: 'v2', targets: 'https://v2.example.com heavy' },
      { name: 'bad name', targets: 'https://x.example.com' },
      { name: 'v3', targets: '' },
      { name: 'v3', targets: 'https://v3.example.com' },
    ];
    const result = parseDraft(ZUpstreamForm, draft);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['versions.0.targets']).toBe('"heavy" is not a weight');
    expect(result.errors['versions.1.name']).toMatch(/letters, digits/);
    expect(result.errors['versions.2.targets']).toBe('Add at least one target');
  });

  it('maps server paths of versions (by name) to the rows', () => {
    const draft = toUpstreamDraft(URL, parseUpstreamConfig({}));
    draft.versions = [
      { name: 'v1', targets: 'https://a.example.com' },
      { name: 'v2', targets: 'https://b.example.com' },
    ];
    expect(upstreamErrorField('versions.v2.0.url', draft)).toBe('versions.1.targets');
    expect(upstreamErrorField('versions.gone.0.url', draft)).toBe('versions');
    expect(upstreamErrorField('targets.0.url', draft)).toBe('targets.0.url');
  });
});
