import { decryptSecret } from '@portcullis/core/crypto';
import { describe, expect, it } from 'vitest';
import { env } from '../../../env';
import { db, expectTrpcError, member } from '../../test/harness';
import { fieldsOf } from './test-fields';

const KEYS = 'AKIAPORTALTEST000001:portalSecretAccessKey/0123456789+abcd';

describe('ai router: Amazon Bedrock credentials', () => {
  it('stores AWS access keys encrypted and the region as the aws-region setting', async () => {
    const owner = await member('OWNER', 'aibedrock');
    const created = await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'Bedrock',
      provider: 'bedrock',
      secret: KEYS,
      headers: { 'aws-region': 'eu-central-1' },
    });
    expect(created).toMatchObject({
      provider: 'bedrock',
      baseUrl: null,
      headers: { 'aws-region': 'eu-central-1' },
    });
    expect(JSON.stringify(created)).not.toContain('portalSecretAccessKey');
    const row = await db.providerCredential.findUniqueOrThrow({ where: { id: created.id } });
    expect(
      decryptSecret(row.secretEncrypted, env.PORTCULLIS_ENCRYPTION_KEY, `provider-credential:${row.id}`),
    ).toBe(KEYS);

    // Temporary credentials as JSON; the region implied by an AWS endpoint override.
    const temporary = JSON.stringify({
      accessKeyId: 'ASIAPORTALTEST000001',
      secretAccessKey: 'portalSecretAccessKey/0123456789+abcd',
      sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDN0tb2tlbj0=',
    });
    await owner.caller.ai.updateCredential({
      orgSlug: owner.org.slug,
      credentialId: created.id,
      name: 'Bedrock',
      secret: temporary,
      baseUrl: 'https://bedrock-runtime.us-west-2.amazonaws.com',
    });
  });

  it('names the field at fault: keys that are not AWS keys, a missing or malformed region', async () => {
    const owner = await member('OWNER', 'aibedrock');
    const create = (secret: string, headers: Record<string, string>) =>
      expectTrpcError(
        owner.caller.ai.createCredential({
          orgSlug: owner.org.slug,
          name: 'B',
          provider: 'bedrock',
          secret,
          headers,
        }),
        'BAD_REQUEST',
      );
    expect(fieldsOf(await create('sk-openai-style-key-123456', { 'aws-region': 'us-east-1' }))).toEqual({
      secret: expect.stringMatching(/ACCESS_KEY_ID:SECRET_ACCESS_KEY/),
    });
    expect(fieldsOf(await create(KEYS, {}))).toEqual({
      'headers.aws-region': expect.stringMatching(/AWS region/),
    });
    // a region is part of the default host name: nothing else may pass for one
    const hostile = fieldsOf(await create(KEYS, { 'aws-region': 'evil.example.com/#' }));
    expect(hostile).toEqual({ 'headers.aws-region': expect.stringMatching(/Not an AWS region/) });
    expect(await db.providerCredential.count({ where: { orgId: owner.org.id } })).toBe(0);
  });
});
