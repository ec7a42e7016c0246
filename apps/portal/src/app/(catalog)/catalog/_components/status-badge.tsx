'use client';

const CLASS: Record<string, string> = {
  PUBLISHED: 'status-active',
  DEPRECATED: 'status-suspended',
  RETIRED: 'status-cancelled',
  DRAFT: '',
};

/** An API's lifecycle status as a badge (colour plus the word, never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${CLASS[status] ?? ''}`.trim()}>{status}</span>;
}
