/**
 * AI documents store ProviderCredential ids; the config document names credentials instead, so a file
 * can move between orgs (and into git) without ids or secrets.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Calls `visit` on every route target of an AI gateway config or a prompt (both keep `routes`). */
function mapTargets(ai: Json, visit: (target: Json, path: string) => Json): Json {
  if (!Array.isArray(ai.routes)) return ai;
  const routes = ai.routes.map((route: unknown, i) => {
    if (!isObject(route) || !Array.isArray(route.targets)) return route;
    const targets = route.targets.map((target: unknown, j) =>
      isObject(target) ? visit(target, `routes.${i}.targets.${j}`) : target,
    );
    return { ...route, targets };
  });
  return { ...ai, routes };
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
