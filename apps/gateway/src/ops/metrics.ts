import { Registry } from 'prom-client';

/**
 * The gateway's one Prometheus registry. Each module defines its own metrics on it, next to the code
 * that updates them (`new Counter({ name, help, registers: [metricsRegistry] })`); `/metrics` serves it.
 */
export const metricsRegistry = new Registry();
