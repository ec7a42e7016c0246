'use client';

import { type ReactNode, useEffect, useId, useRef } from 'react';
import styles from '../logs.module.css';

/**
 * A side panel over the page (modal dialog): focus moves to its close button, Escape or a click on the
 * backdrop closes it, and focus returns to whatever opened it.
 */
export function Drawer({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const titleId = useId();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [onClose]);
  return (
    <>
      <div className={styles.backdrop} onClick={onClose} aria-hidden="true" />
      <div className={styles.drawer} role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <div className={styles.drawerHead}>
          <h2 id={titleId}>{title}</h2>
          <button ref={closeRef} type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
        <div className={styles.drawerBody}>{children}</div>
      </div>
    </>
  );
}

/** Status code coloured by class. */
export function StatusCode({ status }: { status: number }) {
  const cls = status >= 500 ? styles.status5 : status >= 400 ? styles.status4 : styles.status2;
  return <span className={cls}>{status}</span>;
}
