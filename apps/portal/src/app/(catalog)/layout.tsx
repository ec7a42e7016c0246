import type { ReactNode } from 'react';
import { CatalogShell } from './catalog/_components/catalog-shell';

/** The catalog is outside the signed-in (app) group: PUBLIC APIs of tenants that allow it are browsable anonymously. */
export default function CatalogLayout({ children }: { children: ReactNode }) {
  return <CatalogShell>{children}</CatalogShell>;
}
