import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Toaster } from '~/components/ui/toast';
import { Providers } from '~/trpc/client';
import './globals.css';

export const metadata: Metadata = {
  title: 'Portcullis developer portal',
  description: 'Publish and consume APIs',
};
export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Every page renders per request, so Next.js can put the response's CSP nonce on its scripts (a page
// prerendered at build time would carry none and be blocked): see src/server/security/csp.ts.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          {children}
          <Toaster />
        </Providers>
      </body>
    </html>
  );
}
