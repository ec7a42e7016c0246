'use client';

import { Toaster as Sonner } from 'sonner';

export { toast } from 'sonner';

/**
 * Where toasts appear; mounted once in the root layout. Toasts are announced through a live region.
 * Plain colours: sonner's "rich" success green on its pale green is below WCAG AA contrast (4.3:1).
 */
export function Toaster() {
  return <Sonner position="bottom-right" closeButton toastOptions={{ duration: 5000 }} />;
}
