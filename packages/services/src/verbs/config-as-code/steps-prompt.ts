import { ZPromptConfig } from '@portcullis/core/ai-config';
import { conflict, DomainError } from '@portcullis/core/errors';
import type { ApiStatus } from '@portcullis/db';
import { createPromptVersion, setPromptRelease } from '../prompt-versions.ts';
import type { Step } from './change.ts';
import { aiFromDocument, aiToDocument } from './credentials.ts';
import type { MissingCredentialRef } from './plan.ts';
import { type ConfigApi, type ConfigPromptVersion, sameValue } from './schema.ts';
import type { ApiRef } from './steps-plan.ts';

/**
 * A PROMPT API's published versions and its release. Versions are immutable: the document's versions
 * that the API lacks are created with their numbers, the ones it has must be equal, and the ones the
 * document leaves out are kept (even with prune: AI call log rows name them, and a number is never
 * reused). The release is set after the versions, since it names them.
 */

/** A stored prompt as the document writes it (credentials by name); one that no longer parses as it is. */
export function promptDocument(
  config: unknown,
  nameOf: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const parsed = ZPromptConfig.safeParse(config);
  const stored = parsed.success ? parsed.data : config;
  return aiToDocument((stored ?? {}) as Record<string, unknown>, nameOf);
}

interface PromptStepsInput {
  api: ApiRef;
  apiSlug: string;
  /** `apis.<i>` */
  path: string;
  /** the API's status before this apply (a new API is a draft) */
  status: ApiStatus;
  desired: ConfigPromptVersion[];
  current: ConfigPromptVersion[];
  /** ProviderCredential name → id */
  credentials: ReadonlyMap<string, string>;
  missing: MissingCredentialRef[];
}

function retiredRefusal(slug: string, field: string) {
  return conflict(`API "${slug}" is retired and cannot be changed`, {
    [field]: 'A retired API cannot be changed',
  });
}

/** Steps that create the document's versions the API does not have, lowest number first. */
export function promptVersionSteps(input: PromptStepsInput): Step[] {
  const nameOf = new Map([...input.credentials].map(([name, id]) => [id, name]));
  const current = new Map(input.current.map((v) => [v.number, v]));
  const ordered = input.desired
    .map((version, i) => ({ version, path: `${input.path}.promptVersions.${i}` }))
    .sort((a, b) => a.version.number - b.version.number);
  const steps: Step[] = [];
  for (const { version, path } of ordered) {
    const { config, missing } = aiFromDocument(version.config, input.credentials);
    const document = promptDocument(config, nameOf);
    const existing = current.get(version.number);
    if (existing) {
      if (existing.note !== version.note || !sameValue(existing.config, document)) {
        throw conflict(`API "${input.apiSlug}": version ${version.number} is already published`, {
          [path]: 'Published versions cannot change; publish a new number',
        });
      }
      continue;
    }
    if (input.status === 'RETIRED') throw retiredRefusal(input.apiSlug, path);
    for (const m of missing) input.missing.push({ name: m.name, path: `${path}.config.${m.path}` });
    steps.push({
      path,
      change: {
        action: 'create',
        kind: 'promptVersion',
        name: `${input.apiSlug}/${version.number}`,
        fields: [
          { field: 'note', before: null, after: version.note },
          { field: 'config', before: null, after: document },
        ],
        // The permission that publishing a version asks for in the portal and the management API.
        permissions: ['policy.write'],
      },
      run: async (ctx) => {
        await createPromptVersion(ctx, {
          apiId: input.api.id,
          number: version.number,
          note: version.note,
          config,
        });
      },
    });
  }
  return steps;
}

/** The release's field errors point at `promptRelease` in the document rather than the verb's `release`. */
function releaseFieldsInDocument(error: unknown): unknown {
  if (!(error instanceof DomainError) || !error.fields) return error;
  const fields = Object.entries(error.fields).map(([k, v]) => [k.replace(/^release\b/, 'promptRelease'), v]);
  return new DomainError(error.code, error.message, Object.fromEntries(fields));
}

/** Sets the release when it differs; it must name versions the API has once the versions are created. */
export function promptReleaseStep(
  api: Pick<ConfigApi, 'slug' | 'promptRelease'>,
  ref: ApiRef,
  path: string,
  from: { status: ApiStatus; release: ConfigApi['promptRelease'] },
): Step | null {
  if (sameValue(from.release, api.promptRelease)) return null;
  if (from.status === 'RETIRED') throw retiredRefusal(api.slug, `${path}.promptRelease`);
  return {
    path,
    change: {
      action: 'update',
      kind: 'api',
      name: api.slug,
      fields: [{ field: 'promptRelease', before: from.release, after: api.promptRelease }],
      permissions: ['policy.write'],
    },
    run: async (ctx) => {
      await setPromptRelease(ctx, { apiId: ref.id, release: api.promptRelease }).catch((error: unknown) => {
        throw releaseFieldsInDocument(error);
      });
    },
  };
}
