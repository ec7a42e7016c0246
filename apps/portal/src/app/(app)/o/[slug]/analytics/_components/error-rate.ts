import { ERROR_RATE_DEFINITION } from '@portcullis/core/usage-metrics';

/** The one name the KPI card and the chart give the error rate, and what it counts. */
export const ERROR_RATE_LABEL = 'Error rate (5xx)';
export const ERROR_RATE_HELP = `${ERROR_RATE_LABEL}: ${ERROR_RATE_DEFINITION}.`;
