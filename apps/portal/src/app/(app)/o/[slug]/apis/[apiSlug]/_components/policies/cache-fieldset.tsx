'use client';

import { CheckboxField, NumberField, SelectField } from '../../../../../../../../components/forms/fields';

/** The response cache. */
export function CacheFieldset() {
  return (
    <fieldset className="group">
      <legend>Cache</legend>
      <CheckboxField name="cache.enabled" id="cache-enabled" label="Cache responses" />
      <div className="row">
        <NumberField name="cache.ttlSeconds" id="cache-ttl" label="Cache TTL (seconds)" min={1} />
      </div>
      <CheckboxField
        name="cache.public"
        id="cache-public"
        label="Shared cache (one response serves every consumer)"
      />
    </fieldset>
  );
}

const REDIS_FAILURE_MODES = [
  { value: 'local', label: 'Limit locally per gateway (local)' },
  { value: 'allow', label: 'Let requests through unlimited (allow)' },
  { value: 'deny', label: 'Refuse requests (deny)' },
];

/** What the gateway does when the shared limiter (Redis) is unreachable. */
export function RedisFailureField() {
  return (
    <SelectField
      name="redisFailureMode"
      id="redis-failure-mode"
      label="When Redis is unreachable"
      options={REDIS_FAILURE_MODES}
    />
  );
}
