import type { IncomingMessage } from 'node:http';
import { type GatewayProblem, problem } from '../http/problem.ts';
import type { Logger } from '../log.ts';
import type { ParsedPath } from '../pipeline/route.ts';
import { err, ok, type Result } from '../result.ts';
import { isJsonMediaType } from './openapi-match.ts';
import { RequestValidator } from './openapi-validate.ts';
import { bufferBody, replayBody, tooLarge } from './size-limits.ts';

/** OpenAPI validator cache: one compiled validator per API and spec version; a config change drops it. */
export class ValidatorCache {
  private readonly byApi = new Map<string, { version: string; validator: RequestValidator | null }>();

  get(apiId: string, version: string, spec: unknown, log: Logger): RequestValidator | null {
    const known = this.byApi.get(apiId);
    if (known?.version === version) return known.validator;
    const built = RequestValidator.fromSpec(spec);
    if (!built.ok) {
      // A spec the gateway cannot use must not take the API down: requests pass unvalidated, loudly.
      log('warn', 'OpenAPI spec unusable for validation; requests pass unvalidated', {
        apiId,
        reason: built.error,
      });
    }
    const unsupported = built.ok ? RequestValidator.unsupportedPatterns(spec) : [];
    if (unsupported.length > 0) {
      // Saved before patterns were checked for RE2: they never run on RegExp; their values are refused.
      log('warn', 'OpenAPI spec has patterns the gateway cannot run; values they apply to are refused', {
        apiId,
        patterns: unsupported.slice(0, 10).map((issue) => ({
          at: issue.path.join('.'),
          pattern: issue.pattern,
          reason: issue.reason,
        })),
      });
    }
    const validator = built.ok ? built.value : null;
    this.byApi.set(apiId, { version, validator });
    return validator;
  }

  drop(apiId: string): void {
    this.byApi.delete(apiId);
  }
}

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * Validates the request against its operation. A JSON body is read (up to maxBodyBytes) only when the
 * operation has a JSON body schema and the request says it is JSON; the returned request replays it.
 * Anything else keeps streaming: the original request is returned untouched.
 */
export async function validateRequest(
  validator: RequestValidator,
  req: IncomingMessage,
  path: ParsedPath,
  maxBodyBytes: number,
): Promise<Result<IncomingMessage, GatewayProblem>> {
  const method = req.method ?? 'GET';
  const match = validator.match(method, path.rest);
  if (!match) {
    return err(
      problem('operation_not_found', `${method} ${path.rest || '/'} is not an operation of this API.`),
    );
  }
  const errors = validator.validateParameters(match, path.query, req.headers);
  let request = req;
  if (validator.wantsJsonBody(match)) {
    if (!hasBody(req)) {
      errors.push(...validator.validateBody(match, null));
    } else if (isJsonMediaType(req.headers['content-type'])) {
      const body = await bufferBody(req, maxBodyBytes);
      if (!body.ok)
        return err(
          body.error === 'too_large'
            ? tooLarge({ maxBodyBytes })
            : problem('bad_request', 'The request body broke off before it was complete.'),
        );
      errors.push(...validator.validateBody(match, body.value));
      request = replayBody(body.value, req);
    }
  }
  if (errors.length > 0) {
    const first = errors[0];
    const detail = first ? `${first.in} ${first.name || 'body'} ${first.message}` : 'invalid';
    return err({
      ...problem('request_invalid', `The request does not match the API's schema: ${detail}.`),
      errors,
    });
  }
  return ok(request);
}
