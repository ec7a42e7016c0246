import type { RequestTrace } from './types.ts';

/** Runs `run` as the step `name` of the request's trace, or directly when tracing is off. */
export function traced<T>(
  trace: RequestTrace | undefined,
  name: string,
  run: () => Promise<T> | T,
): Promise<T> | T {
  return trace ? trace.step(name, run) : run();
}
