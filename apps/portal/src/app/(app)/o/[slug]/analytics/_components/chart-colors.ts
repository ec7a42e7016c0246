import { GREEN } from '~/components/charts/chart-frame';

// Colours chosen for contrast on white (WCAG AA for the text-sized legend swatches).
export const DANGER = '#c23030';
export const P50 = GREEN;
export const P95 = '#9a6200';
export const P99 = '#c23030';
