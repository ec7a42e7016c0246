import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '../trpc/client';
import './globals.css';

export const metadata: Metadata = {
  title: 'Portcullis developer portal',
  description: 'Publish and consume APIs',
};
export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
