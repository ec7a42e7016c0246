/** How long "Copied" stays on a copy button. */
export const COPIED_FOR_MS = 2000;

export type CopyOutcome = 'copied' | 'unavailable' | 'failed';

/**
 * Writes text to the clipboard. The asynchronous clipboard API exists only in secure contexts (https,
 * or http on localhost / 127.0.0.1); elsewhere the caller tells the user to copy by hand.
 */
export async function copyText(
  text: string,
  clipboard: Pick<Clipboard, 'writeText'> | undefined = globalThis.navigator?.clipboard,
): Promise<CopyOutcome> {
  if (!clipboard) return 'unavailable';
  try {
    await clipboard.writeText(text);
    return 'copied';
  } catch {
    return 'failed';
  }
}

export function copyButtonText(outcome: CopyOutcome | null, idle = 'Copy'): string {
  if (outcome === 'copied') return 'Copied';
  if (outcome === 'unavailable') return 'Select and copy';
  if (outcome === 'failed') return 'Copy failed';
  return idle;
}
