import { getProvider } from '@portcullis/ai/providers/index';
import type { ProviderCredential, ProviderDefinition } from '@portcullis/ai/providers/types';
import { type ModelPrice, providerCredentialContext, type RouteTarget } from '@portcullis/core/ai-config';
import { decryptSecret, type EncryptionKey, parseEncryptionKey } from '@portcullis/core/crypto';
import type { ConfigCache } from '../config/config-cache.ts';
import { err, ok, type Result } from '../result.ts';

/** A route target ready to call: its adapter, the decrypted credential and the provider's model. */
export interface ResolvedTarget {
  credentialId: string;
  /** the credential's org: its calls go through that org's SSRF-guarded dispatcher */
  orgId: string;
  provider: ProviderDefinition;
  credential: ProviderCredential;
  model: string;
}

type CredentialRow = NonNullable<Awaited<ReturnType<ConfigCache['credential']>>>;

/**
 * Loads credentials and prices through the config cache (invalidated like any other config) and decrypts
 * secrets once per loaded row: the plaintext is held beside the cached row object (a WeakMap keyed by it),
 * so it lives exactly as long as that row does — an edit, rotation or deletion in the portal replaces or
 * drops the row, and its plaintext with it. Never logged, never returned by any API.
 */
export class AiCredentials {
  private readonly key: EncryptionKey | null;
  private readonly decrypted = new WeakMap<CredentialRow, ProviderCredential>();

  constructor(
    private readonly cache: ConfigCache,
    encryptionKey: string | undefined,
  ) {
    this.key = encryptionKey ? parseEncryptionKey(encryptionKey) : null;
  }

  /** Resolves one target of an API owned by `orgId`; another tenant's credential id is "not found". */
  async resolve(orgId: string, target: RouteTarget): Promise<Result<ResolvedTarget, string>> {
    const row = await this.cache.credential(orgId, target.credentialId);
    if (!row) return err(`provider credential ${target.credentialId} does not exist`);
    const provider = getProvider(row.provider);
    if (!provider) return err(`no adapter for provider '${row.provider}'`);
    if (!this.key) return err('PORTCULLIS_ENCRYPTION_KEY is not configured on the gateway');
    let credential = this.decrypted.get(row);
    if (!credential) {
      let apiKey: string;
      try {
        apiKey = decryptSecret(row.secretEncrypted, this.key, providerCredentialContext(row.id));
      } catch {
        // The error names no secret; the ciphertext and key stay out of every message.
        return err(`provider credential ${row.id} cannot be decrypted with this gateway's key`);
      }
      credential = { apiKey };
      if (row.baseUrl) credential.baseUrl = row.baseUrl;
      if (row.apiVersion) credential.apiVersion = row.apiVersion;
      if (Object.keys(row.headers).length > 0) credential.headers = row.headers;
      this.decrypted.set(row, credential);
    }
    return ok({ credentialId: row.id, orgId: row.orgId, provider, credential, model: target.model });
  }

  /**
   * The provider id and price row of a route target, without decrypting anything (GET /v1/models);
   * null when its credential is not the org's.
   */
  async describe(
    orgId: string,
    target: RouteTarget,
  ): Promise<{ provider: string; price: ModelPrice | undefined } | null> {
    const row = await this.cache.credential(orgId, target.credentialId);
    if (!row) return null;
    return { provider: row.provider, price: await this.price(orgId, row.provider, target.model) };
  }

  /** The tenant's price row for a provider model; none → the call costs 0 (costMicros). */
  async price(orgId: string, provider: string, model: string): Promise<ModelPrice | undefined> {
    return (await this.cache.price(orgId, provider, model)) ?? undefined;
  }
}
