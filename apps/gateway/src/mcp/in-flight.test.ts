import { describe, expect, it } from 'vitest';
import { ToolCallsInFlight } from './in-flight.ts';

describe('tool calls in flight', () => {
  const caps = { perKey: 2, perApi: 3, total: 4 };

  it("refuses a key's call over its cap, not another key's", () => {
    const inFlight = new ToolCallsInFlight(caps);
    expect(inFlight.take('k1', 'a/x').ok).toBe(true);
    expect(inFlight.take('k1', 'a/y').ok).toBe(true);
    expect(inFlight.take('k1', 'a/z')).toEqual({ ok: false, error: 'key' });
    expect(inFlight.take('k2', 'a/z').ok).toBe(true);
  });

  it("refuses an API's call over its cap, then the process's", () => {
    const inFlight = new ToolCallsInFlight(caps);
    for (const key of ['k1', 'k2', 'k3']) expect(inFlight.take(key, 'a/x').ok).toBe(true);
    expect(inFlight.take('k4', 'a/x')).toEqual({ ok: false, error: 'api' });
    expect(inFlight.take('k4', 'b/x').ok).toBe(true);
    expect(inFlight.take('k5', 'c/x')).toEqual({ ok: false, error: 'total' });
  });

  it('gives a slot back once, however often it is released', () => {
    const inFlight = new ToolCallsInFlight(caps);
    const first = inFlight.take('k1', 'a/x');
    const second = inFlight.take('k1', 'a/x');
    if (!first.ok || !second.ok) throw new Error('expected slots');
    first.value();
    first.value();
    expect(inFlight.take('k1', 'a/x').ok).toBe(true);
    expect(inFlight.take('k1', 'a/x')).toEqual({ ok: false, error: 'key' });
  });
});
