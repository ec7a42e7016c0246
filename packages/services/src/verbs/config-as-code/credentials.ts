/**
 * AI documents store ProviderCredential ids; the config document names credentials instead, so a file
 * can move between orgs (and into git) without ids or secrets.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type Visit = (holder: Json, path: string) => Json;

/** Moderation guardrail rules call a provider through a credential too. */
function mapRules(rules: unknown, base: string, visit: Visit): unknown {
  if (!Array.isArray(rules)) return rules;
  return rules.map((rule: unknown, k) =>
    isObject(rule) && rule.type === 'moderation' ? visit(rule, `${base}.${k}`) : rule,
  );
}

/**
 * Calls `visit` on everything of an AI gateway config or a prompt that names a credential: route
 * targets, and moderation rules (the document's own and each route's).
 */
function mapTargets(ai: Json, visit: Visit): Json {
  const mapped: Json = { ...ai };
  if (Array.isArray(ai.routes)) {
    mapped.routes = ai.routes.map((route: unknown, i) => {
      if (!isObject(route)) return route;
      const out: Json = { ...route };
      if (Array.isArray(route.targets)) {
        out.targets = route.targets.map((target: unknown, j) =>
          isObject(target) ? visit(target, `routes.${i}.targets.${j}`) : target,
        );
      }
      if (route.guardrails !== undefined) {
        out.guardrails = mapRules(route.guardrails, `routes.${i}.guardrails`, visit);
      }
      return out;
    });
  }
  if (ai.guardrails !== undefined) mapped.guardrails = mapRules(ai.guardrails, 'guardrails', visit);
  return mapped;
}

/** The stored document with each `credentialId` replaced by `credential: <name>`. */
export function aiToDocument(ai: Json, nameOf: ReadonlyMap<string, string>): Json {
  return mapTargets(ai, ({ credentialId, ...target }) => ({
    credential: nameOf.get(String(credentialId)) ?? String(credentialId),
    ...target,
  }));
}

export interface MissingCredential {
  /** dotted path inside the API's `ai` document */
  path: string;
  name: string;
}

/** The document's `credential` names resolved to ids; names the org does not have are listed. */
export function aiFromDocument(
  ai: Json,
  idOf: ReadonlyMap<string, string>,
): { config: Json; missing: MissingCredential[] } {
  const missing: MissingCredential[] = [];
  const config = mapTargets(ai, ({ credential, ...target }, path) => {
    const name = String(credential ?? '');
    const id = idOf.get(name);
    if (id === undefined) missing.push({ path: `${path}.credential`, name });
    // An unknown name stays in place of the id: it reads back as itself, and is never applied.
    return { credentialId: id ?? name, ...target };
  });
  return { config, missing };
}
