/** The HTTP methods a policy can name, in their usual order. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Toggles one method in a selection, keeping the methods in their usual order. */
export function toggleMethod(selected: readonly string[], method: string, on: boolean): string[] {
  return on
    ? HTTP_METHODS.filter((m) => m === method || selected.includes(m))
    : selected.filter((m) => m !== method);
}
