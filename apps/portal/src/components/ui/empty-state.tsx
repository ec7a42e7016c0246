import Link from 'next/link';
import type { ReactNode } from 'react';
import { cn } from '~/lib/cn';
import { buttonClasses } from './button-classes';

interface EmptyStateProps {
  title: ReactNode;
  description?: ReactNode;
  /** The next step: a link (href) or any element (e.g. a button opening a dialog). */
  action?: { label: string; href: string } | ReactNode;
  className?: string;
}

function isLinkAction(action: EmptyStateProps['action']): action is { label: string; href: string } {
  return typeof action === 'object' && action !== null && 'href' in action && 'label' in action;
}

/** Says there is nothing here yet and what to do next. */
export function EmptyState({ title, description, action, className }: EmptyStateProps) {
  return (
    <div
      className={cn(
        'mb-4 rounded-card border border-dashed border-line bg-surface px-5 py-6 text-center',
        className,
      )}
    >
      <p className="m-0 font-semibold">{title}</p>
      {description ? <p className="m-0 mt-1 text-muted">{description}</p> : null}
      {action ? (
        <div className="mt-3">
          {isLinkAction(action) ? (
            <Link href={action.href} className={buttonClasses('primary')}>
              {action.label}
            </Link>
          ) : (
            action
          )}
        </div>
      ) : null}
    </div>
  );
}
