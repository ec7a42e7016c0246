import type { IncomingMessage, ServerResponse } from 'node:http';
import { uuidv7 } from '@portcullis/core/ids';
import type { ConfigCache } from '../config/config-cache.ts';
import { admit as admitRequest } from '../pipeline/admit.ts';
import { setDeprecationHeaders } from '../pipeline/deprecation.ts';
import { isGatewayRequestId } from '../pipeline/request-id.ts';
import type { ParsedPath } from '../pipeline/route.ts';
import type { ChainDeps } from './deps.ts';
import type { AdmittedRequest, GatewayRequest, Refusal } from './request.ts';

export type AdmitOutcome =
  | { kind: 'admitted'; request: AdmittedRequest }
  | { kind: 'refused'; refusal: Refusal };

/**
 * Step 3 — admit (pipeline/admit.ts): route → key → subscription → rate limit + quota. Sets what it
 * established on the record (also when it refuses, for the request log) and the deprecation headers.
 */
export async function admit(
  deps: ChainDeps,
  request: GatewayRequest,
  req: IncomingMessage,
  res: ServerResponse,
  path: ParsedPath,
  config: ConfigCache,
): Promise<AdmitOutcome> {
  const admission = await admitRequest(
    deps,
    path,
    req.headers,
    { ip: request.clientIp ?? undefined },
    config,
  );
  const established = admission.ok ? admission.value : admission.error;
  request.route = established.route;
  request.key = established.key;
  request.subscription = established.subscription;
  setDeprecationHeaders(res, established.route);
  if (!admission.ok) {
    return { kind: 'refused', refusal: { problem: admission.error.problem, drain: true, inApiShape: true } };
  }
  const { route, key, subscription, headers } = admission.value;
  return {
    kind: 'admitted',
    request: Object.assign(request, {
      path,
      route,
      key,
      subscription,
      limitHeaders: headers,
      usageId: isGatewayRequestId(request.requestId, req.headers) ? request.requestId : uuidv7(),
    }),
  };
}
