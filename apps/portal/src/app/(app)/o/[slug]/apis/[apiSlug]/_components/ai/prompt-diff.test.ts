import { describe, expect, it } from 'vitest';
import { promptDiff } from './prompt-diff';

describe('prompt diff', () => {
  it('lists only the fields that differ, with both sides as text', () => {
    const version = { model: 'fast', user: 'Summarise: {{text}}', system: '', temperature: 0.2 };
    const working = { model: 'fast', user: 'Briefly: {{text}}', system: '' };
    expect(promptDiff(version, working)).toEqual([
      { field: 'user', label: 'User template', version: 'Summarise: {{text}}', working: 'Briefly: {{text}}' },
      { field: 'temperature', label: 'Temperature', version: '0.2', working: '(not set)' },
    ]);
    expect(promptDiff(working, working)).toEqual([]);
  });
});
