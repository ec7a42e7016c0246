'use client';

import * as RadixDialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';
import { cn } from '~/lib/cn';

interface DrawerProps {
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  trigger?: ReactNode;
  title: ReactNode;
  description?: ReactNode;
  side?: 'left' | 'right';
  children?: ReactNode;
  className?: string;
}

/** A sheet sliding in from one side: a modal dialog (focus trap, Escape, focus return) with a close button. */
export function Drawer({
  open,
  onOpenChange,
  trigger,
  title,
  description,
  side = 'right',
  children,
  className,
}: DrawerProps) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      {trigger ? <RadixDialog.Trigger asChild>{trigger}</RadixDialog.Trigger> : null}
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <RadixDialog.Content
          className={cn(
            'fixed inset-y-0 z-50 flex w-[min(36rem,100vw)] flex-col overflow-y-auto border-line bg-surface p-5 shadow-xl',
            side === 'right' ? 'right-0 border-l' : 'left-0 border-r',
            className,
          )}
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <div className="mb-3 flex items-start justify-between gap-3">
            <RadixDialog.Title className="m-0 text-lg font-bold break-words">{title}</RadixDialog.Title>
            <RadixDialog.Close
              aria-label="Close"
              className="m-0 shrink-0 rounded-md border border-line bg-surface px-2.5 py-1 text-fg hover:bg-page"
            >
              ✕
            </RadixDialog.Close>
          </div>
          {description ? (
            <RadixDialog.Description className="m-0 mb-3 text-muted">{description}</RadixDialog.Description>
          ) : null}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
