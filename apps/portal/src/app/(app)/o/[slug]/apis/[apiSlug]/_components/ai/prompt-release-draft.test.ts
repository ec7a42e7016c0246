import { describe, expect, it } from 'vitest';
import { describeRelease, splitDraft, splitRelease } from './prompt-release-draft';

describe('prompt release draft', () => {
  it('starts from the live split, else a canary of the newest version', () => {
    expect(splitDraft({ versionA: 1, versionB: 3, weightB: 25 }, [3, 2, 1])).toEqual({
      versionA: '1',
      versionB: '3',
      weightB: '25',
    });
    expect(splitDraft({ versionA: 1, weightB: 0 }, [3, 2, 1])).toEqual({
      versionA: '1',
      versionB: '3',
      weightB: '10',
    });
    expect(splitDraft(null, [2, 1])).toEqual({ versionA: '1', versionB: '2', weightB: '10' });
  });

  it('sends numbers, and an empty weight as not-a-number for the server to refuse', () => {
    expect(splitRelease({ versionA: '1', versionB: '2', weightB: '20' })).toEqual({
      versionA: 1,
      versionB: 2,
      weightB: 20,
    });
    expect(splitRelease({ versionA: '1', versionB: '2', weightB: ' ' }).weightB).toBeNaN();
  });

  it('says what live traffic runs', () => {
    expect(describeRelease(null)).toContain('working copy');
    expect(describeRelease({ versionA: 4, weightB: 0 })).toBe('Live calls run version 4.');
    expect(describeRelease({ versionA: 1, versionB: 2, weightB: 20 })).toContain('80 % version 1');
  });
});
