import { openAIError, ProviderAuthError } from '../../errors.ts';
import type { ProviderCredential } from '../types.ts';

/*
 * A Bedrock credential: an IAM access key pair (and, for temporary credentials, a session token) as the
 * encrypted secret, the region as a non-secret setting kept in the credential's headers under
 * `aws-region` (it is never sent upstream). Pure parsing, shared with the portal's validation on save;
 * signing is in sign.ts.
 */

/** The headers entry that holds the region; read here and removed from what goes upstream. */
export const BEDROCK_REGION_HEADER = 'aws-region';

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const SECRET_ACCESS_KEY = /^[A-Za-z0-9/+=]{16,128}$/;
const SESSION_TOKEN = /^[A-Za-z0-9/+=]{16,4096}$/;
/** us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5 …; also keeps the default host well-formed. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** bedrock-runtime.us-east-1.amazonaws.com, bedrock-runtime-fips…, VPC endpoints …bedrock-runtime.us-east-1.vpce… */
const AWS_HOST_REGION =
  /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.(?:vpce\.)?amazonaws\.com$/;

const SECRET_FORMAT_HINT =
  'Enter ACCESS_KEY_ID:SECRET_ACCESS_KEY (with :SESSION_TOKEN for temporary credentials), or JSON {"accessKeyId","secretAccessKey","sessionToken"}';

function keysFromJson(text: string): Partial<AwsKeys> | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const record = json as Record<string, unknown>;
  const field = (name: string) => (typeof record[name] === 'string' ? (record[name] as string) : undefined);
  return {
    accessKeyId: field('accessKeyId'),
    secretAccessKey: field('secretAccessKey'),
    sessionToken: field('sessionToken') || undefined,
  };
}

/**
 * The access keys in a stored secret, or a message saying what is wrong with it (naming no part of it).
 * Formats: `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]` or JSON with those three fields.
 */
export function parseAwsKeys(secret: string): AwsKeys | { error: string } {
  const text = secret.trim();
  let keys: Partial<AwsKeys> | null;
  if (text.startsWith('{')) keys = keysFromJson(text);
  else {
    const parts = text.split(':');
    const [accessKeyId, secretAccessKey, sessionToken] = parts;
    keys =
      parts.length === 2 || parts.length === 3
        ? { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined }
        : null;
  }
  if (!keys) return { error: `The AWS access keys are not in a known format. ${SECRET_FORMAT_HINT}` };
  if (!keys.accessKeyId || !ACCESS_KEY_ID.test(keys.accessKeyId)) {
    return { error: 'The access key ID should be 16-128 capital letters and digits (e.g. AKIA…)' };
  }
  if (!keys.secretAccessKey || !SECRET_ACCESS_KEY.test(keys.secretAccessKey)) {
    return { error: 'The secret access key should be 16-128 characters of A-Z, a-z, 0-9, /, + and =' };
  }
  if (keys.sessionToken !== undefined && !SESSION_TOKEN.test(keys.sessionToken)) {
    return { error: 'The session token should be base64 text (A-Z, a-z, 0-9, /, + and =)' };
  }
  return keys as AwsKeys;
}

/** A stored credential this adapter cannot use: a misconfigured target (502, so a route tries its next). */
export function unusableCredential(reason: string): ProviderAuthError {
  return new ProviderAuthError({
    status: 502,
    upstreamStatus: null,
    retryable: true,
    retryAfterMs: null,
    body: openAIError(
      `The Amazon Bedrock credential cannot be used: ${reason}.`,
      'server_error',
      null,
      'provider_credential_invalid',
    ),
  });
}

export const isAwsRegion = (region: string): boolean => REGION.test(region);

/** The region named in the credential's headers, else the one in an AWS endpoint override; null when neither. */
export function bedrockRegion(credential: Pick<ProviderCredential, 'baseUrl' | 'headers'>): string | null {
  const named = credential.headers?.[BEDROCK_REGION_HEADER]?.trim();
  if (named) return named;
  if (!credential.baseUrl) return null;
  try {
    return AWS_HOST_REGION.exec(new URL(credential.baseUrl).hostname)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** The region to sign for and to build the default host from; throws `unusableCredential` when absent or malformed. */
export function requireRegion(credential: ProviderCredential): string {
  const region = bedrockRegion(credential);
  if (!region) throw unusableCredential(`no AWS region is set (the '${BEDROCK_REGION_HEADER}' setting)`);
  if (!isAwsRegion(region)) throw unusableCredential(`'${region.slice(0, 40)}' is not an AWS region`);
  return region;
}
