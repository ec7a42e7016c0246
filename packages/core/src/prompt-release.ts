import { z } from 'zod';

/**
 * What live traffic of a PROMPT API runs (`Api.promptRelease`): one published version, or two with
 * `weightB` percent of calls going to `versionB`. Versions are referred to by their number within the
 * API (PromptVersion.number), which never changes and is never reused. No release (null) means the
 * working copy (`Api.ai`) serves, as it did before versions existed.
 */

/** A version number within its API: assigned once, never changed or reused. */
/** The highest version number: releases, cursors and config documents accept no higher. */
export const MAX_PROMPT_VERSION = 1_000_000;
export const ZPromptVersionNumber = z.number().int().min(1).max(MAX_PROMPT_VERSION);

export const ZPromptRelease = z
  .object({
    versionA: ZPromptVersionNumber,
    /** the second version of a split; absent: every call runs versionA */
    versionB: ZPromptVersionNumber.optional(),
    /** percent of calls (0–100) that run versionB; ignored without versionB */
    weightB: z.number().int().min(0).max(100).default(0),
  })
  .superRefine((release, ctx) => {
    if (release.versionB !== undefined && release.versionB === release.versionA) {
      ctx.addIssue({ code: 'custom', path: ['versionB'], message: 'Split between two different versions' });
    }
  })
  .transform((release) =>
    release.versionB === undefined ? { versionA: release.versionA, weightB: 0 } : release,
  );
export type PromptRelease = z.output<typeof ZPromptRelease>;

/** The stored release, or null when there is none or it does not parse (the working copy serves). */
export function parsePromptRelease(json: unknown): PromptRelease | null {
  if (json === null || json === undefined) return null;
  const parsed = ZPromptRelease.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The version numbers a release names. */
export function releasedNumbers(release: PromptRelease): number[] {
  return release.versionB === undefined ? [release.versionA] : [release.versionA, release.versionB];
}

/** Percent of calls each version gets (number → 0–100); a single version gets 100. */
export function liveShares(release: PromptRelease | null): Map<number, number> {
  const shares = new Map<number, number>();
  if (!release) return shares;
  if (release.versionB === undefined || release.weightB === 0) {
    shares.set(release.versionA, 100);
    if (release.versionB !== undefined) shares.set(release.versionB, 0);
    return shares;
  }
  shares.set(release.versionA, 100 - release.weightB);
  shares.set(release.versionB, release.weightB);
  return shares;
}

/**
 * The version one call runs: versionB with probability weightB %, else versionA. `random` is in [0, 1)
 * (Math.random in production; tests pass a seeded one).
 */
export function pickReleasedVersion(release: PromptRelease, random: () => number = Math.random): number {
  if (release.versionB === undefined || release.weightB <= 0) return release.versionA;
  if (release.weightB >= 100) return release.versionB;
  return random() * 100 < release.weightB ? release.versionB : release.versionA;
}
