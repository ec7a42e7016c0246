/** The areas a token's scopes name, with what each covers, in the order the form shows them. */
export const TOKEN_AREAS = [
  { area: 'apis', label: 'APIs', hint: 'APIs, lifecycle, OpenAPI documents' },
  { area: 'plans', label: 'Plans', hint: 'Plans and prices' },
  { area: 'subscriptions', label: 'Subscriptions', hint: 'Approve, reject, suspend' },
  { area: 'apps', label: 'Apps', hint: 'Apps and their keys' },
  { area: 'members', label: 'Members', hint: 'Members and invitations' },
  { area: 'usage', label: 'Usage', hint: 'Usage against quota' },
  { area: 'billing', label: 'Billing', hint: 'Invoices' },
  { area: 'logs', label: 'Logs', hint: 'Request logs' },
  { area: 'config', label: 'Configuration', hint: 'Export and apply (portcullis CLI)' },
] as const;

export type Access = 'none' | 'read' | 'write';
type Area = (typeof TOKEN_AREAS)[number]['area'];
export type ScopeChoice = Record<Area, Access>;

export const emptyChoice = (): ScopeChoice =>
  Object.fromEntries(TOKEN_AREAS.map(({ area }) => [area, 'none'])) as ScopeChoice;

/** `{ apis: 'write', logs: 'read' }` → `['apis:write', 'logs:read']` (write implies read on the server). */
export const scopesOf = (choice: ScopeChoice): `${Area}:${'read' | 'write'}`[] =>
  TOKEN_AREAS.flatMap(({ area }) => {
    const access = choice[area];
    return access === 'none' ? [] : [`${area}:${access}` as const];
  });

const RANK = { VIEWER: 0, DEVELOPER: 1, ADMIN: 2, OWNER: 3 } as const;
export type TokenRole = keyof typeof RANK;

/** The roles a token may have: never above its creator's. */
export const grantableTokenRoles = (mine: TokenRole): TokenRole[] =>
  (Object.keys(RANK) as TokenRole[]).filter((role) => RANK[role] <= RANK[mine]);

export const curlExample = (origin: string, token: string) =>
  `curl -H "Authorization: Bearer ${token}" ${origin}/api/v1/apis`;
