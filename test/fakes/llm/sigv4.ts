import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CapturedRequest } from './server.ts';

/*
 * AWS Signature Version 4 checked the way AWS checks it, written from the public specification (not with
 * the signing library the adapter uses, so a shared mistake cannot cancel out): parse the Authorization
 * header, rebuild the canonical request from what arrived, derive the signing key from the known secret and
 * compare signatures.
 */

export interface AwsTestKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type SigV4Verdict =
  | { ok: true }
  | {
      ok: false;
      exception: 'UnrecognizedClientException' | 'InvalidSignatureException' | 'IncompleteSignatureException';
      message: string;
    };

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 unreserved characters stay; everything else is %XX (upper case), as SigV4 requires. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Non-S3 services encode each path segment of the path as sent once more. */
const canonicalUri = (path: string) => path.split('/').map(uriEncode).join('/') || '/';

const canonicalQuery = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function parseAuthorization(header: string | undefined) {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      header ?? '',
    );
  if (!match) return null;
  const [accessKeyId, date, region, service, terminator] = (match[1] ?? '').split('/');
  return {
    accessKeyId: accessKeyId ?? '',
    date: date ?? '',
    region: region ?? '',
    service: service ?? '',
    terminator: terminator ?? '',
    signedHeaders: (match[2] ?? '').split(';'),
    signature: match[3] ?? '',
  };
}

/** `20261207T060600Z` → epoch ms; NaN when malformed. */
function amzDateMs(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

export function verifySigV4(
  request: CapturedRequest,
  keys: AwsTestKeys,
  expected: { region: string; service: string },
): SigV4Verdict {
  const auth = parseAuthorization(request.headers.authorization);
  if (!auth) {
    return {
      ok: false,
      exception: 'IncompleteSignatureException',
      message: 'Authorization header requires a valid SigV4 signature.',
    };
  }
  if (auth.accessKeyId !== keys.accessKeyId) {
    return {
      ok: false,
      exception: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  if (keys.sessionToken !== undefined && request.headers['x-amz-security-token'] !== keys.sessionToken) {
    return {
      ok: false,
      exception: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  const amzDate = request.headers['x-amz-date'] ?? '';
  const at = amzDateMs(amzDate);
  if (Number.isNaN(at) || Math.abs(Date.now() - at) > 5 * 60_000) {
    return {
      ok: false,
      exception: 'InvalidSignatureException',
      message: `Signature expired: ${amzDate} is now earlier or later than allowed.`,
    };
  }
  if (auth.date !== amzDate.slice(0, 8) || auth.terminator !== 'aws4_request') {
    return {
      ok: false,
      exception: 'InvalidSignatureException',
      message: 'Credential should be scoped to a valid date.',
    };
  }
  if (auth.region !== expected.region || auth.service !== expected.service) {
    return {
      ok: false,
      exception: 'InvalidSignatureException',
      message: `Credential should be scoped to a valid region or service, not '${auth.region}/${auth.service}'.`,
    };
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!auth.signedHeaders.includes(required)) {
      return {
        ok: false,
        exception: 'InvalidSignatureException',
        message: `'${required}' must be a signed header.`,
      };
    }
  }
  if (keys.sessionToken !== undefined && !auth.signedHeaders.includes('x-amz-security-token')) {
    return {
      ok: false,
      exception: 'InvalidSignatureException',
      message: "'x-amz-security-token' must be a signed header.",
    };
  }
  const bodyHash = sha256Hex(Buffer.from(request.rawBody, 'utf8'));
  const claimed = request.headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== bodyHash) {
    return {
      ok: false,
      exception: 'InvalidSignatureException',
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }
  const headerLines = auth.signedHeaders.map(
    (name) => `${name}:${(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`,
  );
  const canonicalRequest = [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query),
    headerLines.join(''),
    auth.signedHeaders.join(';'),
    bodyHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${keys.secretAccessKey}`, auth.date), auth.region), auth.service),
    'aws4_request',
  );
  const signature = hmac(signingKey, stringToSign);
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== signature.length || !timingSafeEqual(given, signature)) {
    return { ok: false, exception: 'InvalidSignatureException', message: SIGNATURE_MISMATCH };
  }
  return { ok: true };
}
