import { describe, expect, it } from 'vitest';
import { choosePrompt, parsePromptApi } from './prompt-versions.ts';

const doc = (user: string) => ({
  model: 'm',
  routes: [{ name: 'm', targets: [{ credentialId: 'c', model: 'gpt-4o-mini' }] }],
  user,
  inputSchema: { type: 'object', properties: {} },
});

describe('prompt API config with versions', () => {
  it('serves the working copy without a release', () => {
    const { ai } = parsePromptApi(doc('draft'), null, null);
    expect(ai && choosePrompt(ai)).toMatchObject({ version: null, prompt: { user: 'draft' } });
  });

  it('serves released versions even when the working copy does not parse', () => {
    const rows = [
      { number: 1, config: doc('one') },
      { number: 2, config: doc('two') },
    ];
    const { ai, aiInvalid } = parsePromptApi(
      { half: 'saved' },
      { versionA: 1, versionB: 2, weightB: 30 },
      rows,
    );
    expect(aiInvalid).toBeNull();
    if (!ai) throw new Error('expected a config');
    expect(choosePrompt(ai, () => 0.29)).toMatchObject({ version: 2, prompt: { user: 'two' } });
    expect(choosePrompt(ai, () => 0.3)).toMatchObject({ version: 1, prompt: { user: 'one' } });
  });

  it('is misconfigured when a released version is missing or does not load', () => {
    expect(parsePromptApi(doc('d'), { versionA: 3 }, []).aiInvalid).toBe(
      'the released prompt version 3 does not exist',
    );
    const broken = parsePromptApi(doc('d'), { versionA: 1 }, [{ number: 1, config: { user: '' } }]);
    expect(broken.ai).toBeNull();
    expect(broken.aiInvalid).toMatch(/^prompt version 1: /);
  });
});
