'use client';

import { Toaster as Sonner } from 'sonner';

export { toast } from 'sonner';

/** Where toasts appear; mounted once in the root layout. Toasts are announced through a live region. */
export function Toaster() {
  return <Sonner position="bottom-right" closeButton richColors toastOptions={{ duration: 5000 }} />;
}
