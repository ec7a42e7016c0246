import { Badge } from '~/components/ui/badge';

const TONE = {
  PUBLISHED: 'ok',
  DEPRECATED: 'warn',
  RETIRED: 'danger',
  DRAFT: 'neutral',
} as const;

/** An API's lifecycle status as a badge (colour plus the word, never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={TONE[status as keyof typeof TONE] ?? 'neutral'}>{status}</Badge>;
}
