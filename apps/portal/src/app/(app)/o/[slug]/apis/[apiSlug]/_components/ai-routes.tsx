'use client';

import type { ReactNode } from 'react';
import { OrgCrumb } from '../../../../../../../components/org-crumb';
import { ApiConfigNav } from './config-nav';

/** A provider credential a route target can use. */
export interface CredentialOption {
  id: string;
  name: string;
  provider: string;
}

/** Crumb, title and tabs of the AI and prompt pages. */
export function AiConfigFrame({
  slug,
  apiSlug,
  apiName,
  section,
  children,
}: {
  slug: string;
  apiSlug: string;
  apiName: string;
  section: 'ai' | 'prompt';
  children: ReactNode;
}) {
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: apiName, href: `/o/${slug}/apis/${apiSlug}` }} />
      <div className="page-head">
        <h1>
          {section === 'ai' ? 'Model routes' : 'Prompt'} · {apiName}
        </h1>
      </div>
      <ApiConfigNav orgSlug={slug} apiSlug={apiSlug} current={section} />
      {children}
    </>
  );
}
