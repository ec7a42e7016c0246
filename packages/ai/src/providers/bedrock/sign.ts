import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ProviderCredential, ProviderHttpRequest } from '../types.ts';
import { parseAwsKeys, requireRegion, unusableCredential } from './credential.ts';

/**
 * Signers keep a derived-key cache; one per credential object (the gateway keeps one per decrypted row, and
 * replaces it when the row changes) avoids redoing the HMAC chain on every call.
 */
const signers = new WeakMap<ProviderCredential, SignatureV4>();

function signerFor(credential: ProviderCredential): SignatureV4 {
  let signer = signers.get(credential);
  if (!signer) {
    const keys = parseAwsKeys(credential.apiKey);
    if ('error' in keys) throw unusableCredential(keys.error);
    signer = new SignatureV4({
      service: 'bedrock',
      region: requireRegion(credential),
      credentials: keys,
      sha256: Hash.bind(null, 'sha256'),
    });
    signers.set(credential, signer);
  }
  return signer;
}

/** SigV4-signs a built request: adds host, x-amz-date, x-amz-content-sha256, the session token and authorization. */
export async function signBedrockRequest(
  request: ProviderHttpRequest,
  credential: ProviderCredential,
): Promise<ProviderHttpRequest> {
  const signer = signerFor(credential);
  const url = new URL(request.url);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { ...request.headers, host: url.host },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  return { ...request, headers: signed.headers as Record<string, string> };
}
