'use client';

import { CheckboxField, NumberField, TextField } from '../../../../../../../../components/forms/fields';

/** Timeouts to the upstream and retries of idempotent requests. */
export function TimeoutsFieldset() {
  return (
    <fieldset className="group">
      <legend>Timeouts and retries</legend>
      <div className="row">
        <NumberField name="timeouts.connectMs" id="connect-ms" label="Connect timeout (ms)" />
        <NumberField name="timeouts.responseMs" id="response-ms" label="Response timeout (ms)" />
        <NumberField name="timeouts.idleMs" id="idle-ms" label="Idle timeout (ms)" />
        <NumberField name="retries.attempts" id="retry-attempts" label="Retry attempts" />
        <NumberField name="retries.budgetPercent" id="retry-budget" label="Retry budget (%)" />
      </div>
    </fieldset>
  );
}

/** Active health probes of every target. */
export function HealthCheckFieldset() {
  return (
    <fieldset className="group">
      <legend>Health check</legend>
      <CheckboxField name="healthCheck.enabled" id="health-enabled" label="Probe targets actively" />
      <div className="row">
        <TextField name="healthCheck.path" id="health-path" label="Path" />
        <NumberField name="healthCheck.intervalMs" id="health-interval" label="Interval (ms)" />
        <NumberField name="healthCheck.healthyThreshold" id="healthy-threshold" label="Healthy after" />
        <NumberField name="healthCheck.unhealthyThreshold" id="unhealthy-threshold" label="Unhealthy after" />
      </div>
    </fieldset>
  );
}

/** Stops calling a failing target for a while. */
export function CircuitBreakerFieldset() {
  return (
    <fieldset className="group">
      <legend>Circuit breaker</legend>
      <CheckboxField
        name="circuitBreaker.enabled"
        id="breaker-enabled"
        label="Stop calling a failing target for a while"
      />
      <div className="row">
        <NumberField
          name="circuitBreaker.consecutiveFailures"
          id="breaker-failures"
          label="Consecutive failures"
        />
        <NumberField name="circuitBreaker.errorRatePercent" id="breaker-rate" label="Error rate (%)" />
        <NumberField name="circuitBreaker.windowSize" id="breaker-window" label="Window (calls)" />
        <NumberField name="circuitBreaker.openMs" id="breaker-open-ms" label="Open for (ms)" />
      </div>
    </fieldset>
  );
}
