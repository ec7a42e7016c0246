'use client';

import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';
import styles from './chart-frame.module.css';

// Colours chosen for contrast on white (WCAG AA for the text-sized legend swatches).
export const ACCENT = '#2f5bd3';
export const GREEN = '#1f7a3d';
export const TICK = { fill: '#5b6470', fontSize: 12 };

/**
 * A chart with its caption. The SVG is a picture for screen readers (role="img" with a one-line
 * summary); the numbers it shows are also in the stat tiles and tables around it.
 */
export function ChartFrame({
  title,
  summary,
  testId,
  children,
}: {
  title: string;
  summary: string;
  testId: string;
  children: ReactElement;
}) {
  return (
    <figure className={styles.chart} data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className={styles.plot} role="img" aria-label={summary}>
        <ResponsiveContainer
          width="100%"
          height="100%"
          minWidth={0}
          initialDimension={{ width: 320, height: 220 }}
        >
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
