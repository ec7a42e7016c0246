import { type PromptConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import {
  type PromptRelease,
  parsePromptRelease,
  pickReleasedVersion,
  releasedNumbers,
} from '@portcullis/core/prompt-release';

/**
 * A PROMPT API as the gateway serves it: its working copy (`Api.ai`) and, when the API has a release
 * (`Api.promptRelease`), the released versions, loaded in the route's one statement. With a release, the
 * working copy is a draft that live traffic never runs.
 */
export interface PromptApiConfig {
  kind: 'PROMPT';
  /** the working copy; with a release, the first released version (what a single-prompt reader sees) */
  prompt: PromptConfig;
  release?: ReleasedPrompts;
}

interface ReleasedPrompts {
  release: PromptRelease;
  /** the released versions' documents by number */
  versions: Map<number, PromptConfig>;
}

/** What one call runs: a released version, or the working copy (version null). */
export interface ChosenPrompt {
  prompt: PromptConfig;
  version: number | null;
}

type Parsed = { ai: PromptApiConfig | null; aiInvalid: string | null };

const invalid = (where: string, issue: { path: PropertyKey[]; message: string } | undefined): Parsed => ({
  ai: null,
  aiInvalid: `${where}${issue?.path.map(String).join('.') || 'ai'}: ${issue?.message ?? 'invalid'}`,
});

/**
 * The working copy, the release and the released versions' rows (`[{ number, config }]`, from the route
 * statement). A release naming a version that is missing or no longer loads makes the API misconfigured
 * (answered as such) rather than silently serving something else.
 */
export function parsePromptApi(ai: unknown, releaseJson: unknown, versionRows: unknown): Parsed {
  const working = ZPromptConfig.safeParse(ai ?? {});
  const release = parsePromptRelease(releaseJson);
  if (!release)
    return working.success
      ? { ai: { kind: 'PROMPT', prompt: working.data }, aiInvalid: null }
      : invalid('', working.error.issues[0]);
  const rows = Array.isArray(versionRows) ? (versionRows as { number?: unknown; config?: unknown }[]) : [];
  const versions = new Map<number, PromptConfig>();
  for (const number of releasedNumbers(release)) {
    const row = rows.find((r) => r.number === number);
    if (!row) return { ai: null, aiInvalid: `the released prompt version ${number} does not exist` };
    const parsed = ZPromptConfig.safeParse(row.config);
    if (!parsed.success) return invalid(`prompt version ${number}: `, parsed.error.issues[0]);
    versions.set(number, parsed.data);
  }
  const first = versions.get(release.versionA) as PromptConfig;
  return { ai: { kind: 'PROMPT', prompt: first, release: { release, versions } }, aiInvalid: null };
}

/** The prompt one call runs: by the release's weights, else the working copy. */
export function choosePrompt(config: PromptApiConfig, random: () => number = Math.random): ChosenPrompt {
  if (!config.release) return { prompt: config.prompt, version: null };
  const version = pickReleasedVersion(config.release.release, random);
  const prompt = config.release.versions.get(version) ?? config.prompt;
  return { prompt, version };
}

/**
 * The prompt an API lists (its MCP tool's schemas): the released version most calls run (A on an even
 * split), else the working copy.
 */
export function listedPrompt(config: PromptApiConfig): PromptConfig {
  const release = config.release;
  if (!release || release.release.versionB === undefined || release.release.weightB <= 50)
    return config.prompt;
  return release.versions.get(release.release.versionB) ?? config.prompt;
}
