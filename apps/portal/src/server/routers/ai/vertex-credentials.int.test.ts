import { generateKeyPairSync } from 'node:crypto';
import { decryptSecret } from '@portcullis/core/crypto';
import { describe, expect, it } from 'vitest';
import { env } from '../../../env';
import { db, expectTrpcError, member } from '../../test/harness';
import { fieldsOf } from './test-fields';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const serviceAccount = (changes: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'service_account',
    project_id: 'acme-prod-42',
    private_key_id: 'abc123',
    private_key: privateKey,
    client_email: 'gateway@acme-prod-42.iam.gserviceaccount.com',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...changes,
  });

describe('ai router: Vertex AI credentials', () => {
  it('stores a service-account key with a region, hinting the account, never the key', async () => {
    const owner = await member('OWNER', 'vertexcred');
    const secret = serviceAccount();
    const created = await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'Vertex',
      provider: 'vertex-anthropic',
      apiVersion: 'europe-west1',
      secret,
    });
    expect(created).toMatchObject({
      apiVersion: 'europe-west1',
      secretHint: 'gateway@acme-prod-42.iam.gserviceaccount.com',
    });
    expect(JSON.stringify(created)).not.toContain('PRIVATE KEY');
    const row = await db.providerCredential.findUniqueOrThrow({ where: { id: created.id } });
    expect(
      decryptSecret(row.secretEncrypted, env.PORTCULLIS_ENCRYPTION_KEY, `provider-credential:${row.id}`),
    ).toBe(secret);
  });

  it('names what is wrong with the key or the region', async () => {
    const owner = await member('OWNER', 'vertexcred');
    const create = (secret: string, apiVersion = 'us-central1') =>
      expectTrpcError(
        owner.caller.ai.createCredential({
          orgSlug: owner.org.slug,
          name: 'Vertex',
          provider: 'vertex',
          apiVersion,
          secret,
        }),
        'BAD_REQUEST',
      );
    expect(fieldsOf(await create('AIzaSy-an-api-key-not-a-json-key')).secret).toMatch(/not JSON/);
    expect(fieldsOf(await create(serviceAccount({ type: 'user' }))).secret).toMatch(/service_account/);
    expect(fieldsOf(await create(serviceAccount({ client_email: '' }))).secret).toMatch(/client_email/);
    expect(fieldsOf(await create(serviceAccount({ private_key: 'nope' }))).secret).toMatch(/private_key/);
    expect(fieldsOf(await create(serviceAccount({ token_uri: 'ftp://x' }))).secret).toMatch(/token_uri/);
    expect(fieldsOf(await create('')).secret).toMatch(/JSON key/);
    expect(fieldsOf(await create(serviceAccount(), '')).apiVersion).toMatch(/region/);
    expect(fieldsOf(await create(serviceAccount(), 'us-central1/../x')).apiVersion).toMatch(/region/);
  });

  it('refuses a token_uri on a private address (the gateway would call it)', async () => {
    const owner = await member('OWNER', 'vertexcred');
    const error = await expectTrpcError(
      owner.caller.ai.createCredential({
        orgSlug: owner.org.slug,
        name: 'Vertex',
        provider: 'vertex',
        apiVersion: 'us-central1',
        secret: serviceAccount({ token_uri: 'http://169.254.169.254/token' }),
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(error).secret).toMatch(/token_uri/);
  });
});
