import { createPrivateKey, type KeyObject } from 'node:crypto';

/** The fields of a Google service-account JSON key the gateway uses. */
export interface ServiceAccountKey {
  projectId: string;
  clientEmail: string;
  privateKeyId: string | null;
  privateKey: KeyObject;
  tokenUri: string;
}

export type ServiceAccountParse = { ok: true; key: ServiceAccountKey } | { ok: false; message: string };

/** Google's project id syntax; it also keeps the id safe inside a URL path. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,62}$/;

const HINT = 'Paste the whole JSON key file of a service account (IAM → Service accounts → Keys).';

function httpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Reads a service-account key as Google issues it (`type: "service_account"`, `project_id`,
 * `client_email`, `private_key` as PKCS#8 PEM, `token_uri`). The message names the first field that is
 * missing or wrong, so it can be shown beside the secret field.
 */
export function parseServiceAccountKey(secret: string): ServiceAccountParse {
  let json: unknown;
  try {
    json = JSON.parse(secret);
  } catch {
    return { ok: false, message: `The key is not JSON. ${HINT}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, message: `The key is not a JSON object. ${HINT}` };
  }
  const key = json as Record<string, unknown>;
  const text = (name: string) => (typeof key[name] === 'string' ? (key[name] as string).trim() : '');
  if (key.type !== 'service_account') {
    return { ok: false, message: `The key's "type" must be "service_account". ${HINT}` };
  }
  const clientEmail = text('client_email');
  if (!clientEmail.includes('@')) return { ok: false, message: 'The key has no valid "client_email".' };
  const projectId = text('project_id');
  if (!PROJECT_ID.test(projectId)) {
    return { ok: false, message: 'The key has no valid "project_id".' };
  }
  const tokenUri = text('token_uri');
  if (!httpUrl(tokenUri)) return { ok: false, message: 'The key\'s "token_uri" is not an https:// URL.' };
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text('private_key'), format: 'pem' });
  } catch {
    return { ok: false, message: 'The key\'s "private_key" is not a PEM private key.' };
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    return { ok: false, message: 'The key\'s "private_key" must be an RSA key.' };
  }
  const privateKeyId = text('private_key_id') || null;
  return { ok: true, key: { projectId, clientEmail, privateKeyId, privateKey, tokenUri } };
}

/** Only the project id (no key parsing): what a request URL needs, cheaply, on every call. */
export function projectIdOf(secret: string): string | null {
  try {
    const json: unknown = JSON.parse(secret);
    const id =
      typeof json === 'object' && json !== null ? (json as { project_id?: unknown }).project_id : null;
    return typeof id === 'string' && PROJECT_ID.test(id.trim()) ? id.trim() : null;
  } catch {
    return null;
  }
}
