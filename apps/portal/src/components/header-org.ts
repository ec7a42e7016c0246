/** The org a path is in: `/o/<slug>/…` → slug, else null. */
export function currentOrgSlug(pathname: string | null): string | null {
  const match = pathname?.match(/^\/o\/([^/]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/** Whether a main link is the current section: its own page or one below it. */
export function isCurrentSection(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}
