import { describe, expect, it } from 'vitest';
import { liveShares, parsePromptRelease, pickReleasedVersion, ZPromptRelease } from './prompt-release.ts';

describe('prompt release', () => {
  it('reads one version, a split, and nothing', () => {
    expect(parsePromptRelease({ versionA: 3 })).toEqual({ versionA: 3, weightB: 0 });
    expect(parsePromptRelease({ versionA: 1, versionB: 2, weightB: 20 })).toEqual({
      versionA: 1,
      versionB: 2,
      weightB: 20,
    });
    expect(parsePromptRelease(null)).toBeNull();
    expect(parsePromptRelease({ versionA: 'x' })).toBeNull();
  });

  it('refuses a split of a version with itself and weights outside 0–100', () => {
    expect(ZPromptRelease.safeParse({ versionA: 2, versionB: 2, weightB: 50 }).success).toBe(false);
    expect(ZPromptRelease.safeParse({ versionA: 1, versionB: 2, weightB: 101 }).success).toBe(false);
    expect(ZPromptRelease.safeParse({ versionA: 0 }).success).toBe(false);
  });

  it('picks versionB for weightB percent of the unit interval', () => {
    const split = { versionA: 1, versionB: 2, weightB: 20 };
    expect(pickReleasedVersion(split, () => 0)).toBe(2);
    expect(pickReleasedVersion(split, () => 0.1999)).toBe(2);
    expect(pickReleasedVersion(split, () => 0.2)).toBe(1);
    expect(pickReleasedVersion(split, () => 0.9999)).toBe(1);
    expect(pickReleasedVersion({ versionA: 4, weightB: 0 }, () => 0)).toBe(4);
    expect(pickReleasedVersion({ versionA: 1, versionB: 2, weightB: 100 }, () => 0.9999)).toBe(2);
  });

  it('reports each version’s live share', () => {
    expect([...liveShares({ versionA: 1, versionB: 3, weightB: 25 })]).toEqual([
      [1, 75],
      [3, 25],
    ]);
    expect([...liveShares({ versionA: 5, weightB: 0 })]).toEqual([[5, 100]]);
    expect(liveShares(null).size).toBe(0);
  });
});
