import type { PromptRelease } from '@portcullis/core/prompt-release';

/** The split form's text fields (selects and the weight input hold strings). */
export interface SplitDraft {
  versionA: string;
  versionB: string;
  weightB: string;
}

/** Starts from the live split, else the two newest versions at 10 % (a canary). */
export function splitDraft(release: PromptRelease | null, numbers: readonly number[]): SplitDraft {
  if (release?.versionB !== undefined) {
    return {
      versionA: String(release.versionA),
      versionB: String(release.versionB),
      weightB: String(release.weightB),
    };
  }
  const [newest, previous] = numbers;
  return {
    versionA: String(release?.versionA ?? previous ?? newest ?? ''),
    versionB: String(newest ?? ''),
    weightB: '10',
  };
}

/** The release the server checks (numbers as typed; it answers field errors for anything off). */
export function splitRelease(draft: SplitDraft) {
  return {
    versionA: Number(draft.versionA),
    versionB: Number(draft.versionB),
    weightB: draft.weightB.trim() === '' ? Number.NaN : Number(draft.weightB),
  };
}

/** One line on what live traffic runs. */
export function describeRelease(release: PromptRelease | null): string {
  if (!release) return 'No version is released: live calls run the working copy as last saved.';
  if (release.versionB === undefined || release.weightB === 0) {
    return `Live calls run version ${release.versionA}.`;
  }
  return `Live calls are split: ${100 - release.weightB} % version ${release.versionA}, ${release.weightB} % version ${release.versionB}.`;
}
