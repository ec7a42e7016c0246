'use client';

import '@scalar/api-reference-react/style.css';
import type { AnyApiReferenceConfiguration } from '@scalar/api-reference-react';
import dynamic from 'next/dynamic';

// The renderer mounts a client-side app: it never renders on the server.
const ApiReferenceReact = dynamic(
  () => import('@scalar/api-reference-react').then((m) => m.ApiReferenceReact),
  {
    ssr: false,
    loading: () => (
      <p className="text-muted" role="status" aria-busy="true">
        Loading the API reference…
      </p>
    ),
  },
);

export type ScalarConfiguration = AnyApiReferenceConfiguration;

// The renderer sets its theme's page background on <body>; the portal keeps its own.
const PORTAL_CSS = 'body { background-color: transparent; }';

/**
 * The portal's settings for Scalar's API reference: everything bundled, no fonts, telemetry or
 * assistant from the internet, light theme, the portal's background.
 */
const SCALAR_BASE = {
  persistAuth: false,
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  layout: 'classic',
  hideClientButton: true,
  hideDarkModeToggle: true,
  forceDarkModeState: 'light',
  showDeveloperTools: 'never',
  documentDownloadType: 'json',
  customCss: PORTAL_CSS,
} as const satisfies ScalarConfiguration;

/** An OpenAPI document rendered by Scalar, with the portal's base settings under `configuration`. */
export function ScalarReference({ configuration }: { configuration: ScalarConfiguration }) {
  return <ApiReferenceReact configuration={{ ...SCALAR_BASE, ...configuration } as ScalarConfiguration} />;
}
