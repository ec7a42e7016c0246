/** The `code`s of the API's problem answers; each problem's `type` links here (`#problem-<code>`). */
const CODES: Array<[code: string, status: number, meaning: string]> = [
  ['unauthorized', 401, 'No token, or one that is unknown, revoked or expired.'],
  ['missing-scope', 403, 'The token lacks the scope the operation names.'],
  ['forbidden', 403, "The token's role (never above its creator's) does not allow this."],
  ['not-found', 404, "No such route, or the resource is not the token's organization's."],
  ['method-not-allowed', 405, 'The path exists for other methods; see the Allow header.'],
  ['invalid-json', 400, 'The body is not valid JSON.'],
  ['nul-character', 400, 'A path, query or body string holds the NUL character (\\u0000).'],
  ['validation-failed', 400, '`errors` names each field that is wrong (body.*, query.*, path.*).'],
  ['bad-request', 400, 'The input is well-formed but not acceptable; see detail.'],
  ['conflict', 409, 'The resource is not in a state that allows this.'],
  ['payload-too-large', 413, 'The body is above the limit.'],
  ['unsupported-media-type', 415, 'Send bodies as application/json.'],
  ['too-many-requests', 429, 'The action is throttled; detail says when to retry.'],
  ['unavailable', 503, 'A service the operation needs is unreachable; nothing was changed.'],
  ['internal', 500, 'Unexpected; retry, and tell the operator if it persists.'],
];

export function ProblemCodes() {
  return (
    <section className="card" aria-labelledby="problem-codes">
      <h2 id="problem-codes">Problems</h2>
      <p className="muted">
        Errors are <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>.
      </p>
      <dl className="facts">
        {CODES.map(([code, status, meaning]) => (
          <div key={code} id={`problem-${code}`} className="contents">
            <dt>
              <code>{code.toUpperCase().replaceAll('-', '_')}</code> ({status})
            </dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
