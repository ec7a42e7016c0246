import type { GatewayProblem } from '../http/problem.ts';
import type { Result } from '../result.ts';
import type { ForwardStats } from '../upstream/proxy.ts';

/** How a forward to the upstream (or the response cache standing in for it) ended. */
export type ForwardOutcome = Result<ForwardStats, GatewayProblem & { upstreamMs: number; bytesIn: number }>;
