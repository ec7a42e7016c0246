import { decryptSecret } from '@portcullis/core/crypto';
import { describe, expect, it } from 'vitest';
import { env } from '../../../env';
import { addMember, db, expectTrpcError, member, uniq } from '../../test/harness';
import { fieldsOf } from './test-fields';

const secretOf = () => `sk-test-${uniq('secret').replace(/[^a-z0-9]/gi, '')}-PLAINTEXT`;

/** The plaintext must not appear anywhere in what a procedure returns. */
const expectNoSecret = (value: unknown, secret: string) => {
  expect(JSON.stringify(value)).not.toContain(secret);
  expect(JSON.stringify(value)).not.toContain(secret.slice(0, -4));
};

async function aiApi(caller: Awaited<ReturnType<typeof member>>['caller'], orgSlug: string) {
  return caller.api.create({ orgSlug, name: 'LLM', slug: uniq('llm'), kind: 'AI', visibility: 'PUBLIC' });
}

describe('ai router: provider credentials', () => {
  it('stores the secret encrypted, bound to the row id, and never returns it', async () => {
    const owner = await member('OWNER', 'aicred');
    const secret = secretOf();
    const created = await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'OpenAI main',
      provider: 'openai',
      secret,
      headers: { 'OpenAI-Organization': 'org-123' },
    });
    expectNoSecret(created, secret);
    expect(created).toMatchObject({ name: 'OpenAI main', provider: 'openai', secretHint: secret.slice(-4) });

    const row = await db.providerCredential.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretEncrypted).not.toContain(secret);
    expect(
      decryptSecret(row.secretEncrypted, env.PORTCULLIS_ENCRYPTION_KEY, `provider-credential:${row.id}`),
    ).toBe(secret);

    const list = await owner.caller.ai.credentials({ orgSlug: owner.org.slug });
    expectNoSecret(list, secret);
    expect(list.items.map((c) => c.id)).toEqual([created.id]);

    // Renaming keeps the secret; a new secret replaces it and is not returned either.
    const renamed = await owner.caller.ai.updateCredential({
      orgSlug: owner.org.slug,
      credentialId: created.id,
      name: 'OpenAI primary',
    });
    expectNoSecret(renamed, secret);
    const kept = await db.providerCredential.findUniqueOrThrow({ where: { id: created.id } });
    expect(kept.secretEncrypted).toBe(row.secretEncrypted);

    const rotated = secretOf();
    const updated = await owner.caller.ai.updateCredential({
      orgSlug: owner.org.slug,
      credentialId: created.id,
      name: 'OpenAI primary',
      secret: rotated,
    });
    expectNoSecret(updated, rotated);
    expectNoSecret(updated, secret);
    expect(updated.secretHint).toBe(rotated.slice(-4));
    const after = await db.providerCredential.findUniqueOrThrow({ where: { id: created.id } });
    expect(
      decryptSecret(after.secretEncrypted, env.PORTCULLIS_ENCRYPTION_KEY, `provider-credential:${row.id}`),
    ).toBe(rotated);

    // Audit rows exist for each change and hold no secret either.
    const audit = await db.auditLog.findMany({ where: { orgId: owner.org.id, targetId: created.id } });
    expect(audit.map((a) => a.action).sort()).toEqual([
      'aiCredential.create',
      'aiCredential.rotate',
      'aiCredential.update',
    ]);
    expectNoSecret(audit, secret);
    expectNoSecret(audit, rotated);
  });

  it('asks for the fields a provider needs, with field-level errors', async () => {
    const owner = await member('OWNER', 'aicred');
    const azure = await expectTrpcError(
      owner.caller.ai.createCredential({
        orgSlug: owner.org.slug,
        name: 'Azure',
        provider: 'azure',
        secret: secretOf(),
      }),
      'BAD_REQUEST',
    );
    expect(azure.cause).toMatchObject({
      fields: { baseUrl: expect.any(String), apiVersion: expect.any(String) },
    });

    const noKey = await expectTrpcError(
      owner.caller.ai.createCredential({
        orgSlug: owner.org.slug,
        name: 'K',
        provider: 'anthropic',
        secret: '',
      }),
      'BAD_REQUEST',
    );
    expect(noKey.cause).toMatchObject({ fields: { secret: 'Paste the API key' } });

    const header = await expectTrpcError(
      owner.caller.ai.createCredential({
        orgSlug: owner.org.slug,
        name: 'H',
        provider: 'openai',
        secret: secretOf(),
        headers: { Authorization: 'Bearer x' },
      }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(header)).toEqual({ 'headers.Authorization': expect.stringMatching(/secret field/) });

    // The endpoint gets the SSRF guard: metadata addresses are refused.
    const ssrf = await expectTrpcError(
      owner.caller.ai.createCredential({
        orgSlug: owner.org.slug,
        name: 'Meta',
        provider: 'openai-compatible',
        baseUrl: 'http://169.254.169.254/v1',
        secret: secretOf(),
      }),
      'BAD_REQUEST',
    );
    expect(ssrf.cause).toMatchObject({ fields: { baseUrl: expect.stringMatching(/169\.254\.169\.254/) } });

    await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'Dup',
      provider: 'openai',
      secret: secretOf(),
    });
    const dup = await expectTrpcError(
      owner.caller.ai.createCredential({
        orgSlug: owner.org.slug,
        name: 'Dup',
        provider: 'openai',
        secret: secretOf(),
      }),
      'CONFLICT',
    );
    expect(dup.cause).toMatchObject({ fields: { name: expect.any(String) } });
  });

  it('lets VIEWER and DEVELOPER read (no secrets), only OWNER/ADMIN write; other orgs see nothing', async () => {
    const owner = await member('OWNER', 'aicred');
    const secret = secretOf();
    const cred = await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'Main',
      provider: 'anthropic',
      secret,
    });
    const viewer = await addMember(owner.org.id, 'VIEWER');
    const developer = await addMember(owner.org.id, 'DEVELOPER');
    const admin = await addMember(owner.org.id, 'ADMIN');
    for (const reader of [viewer, developer]) {
      const list = await reader.caller.ai.credentials({ orgSlug: owner.org.slug });
      expect(list.canWrite).toBe(false);
      expectNoSecret(list, secret);
      await expectTrpcError(
        reader.caller.ai.createCredential({
          orgSlug: owner.org.slug,
          name: 'X',
          provider: 'openai',
          secret: secretOf(),
        }),
        'FORBIDDEN',
      );
      await expectTrpcError(
        reader.caller.ai.updateCredential({
          orgSlug: owner.org.slug,
          credentialId: cred.id,
          name: 'X',
          secret: 'y'.repeat(20),
        }),
        'FORBIDDEN',
      );
      await expectTrpcError(
        reader.caller.ai.deleteCredential({ orgSlug: owner.org.slug, credentialId: cred.id }),
        'FORBIDDEN',
      );
    }
    const adminView = await admin.caller.ai.updateCredential({
      orgSlug: owner.org.slug,
      credentialId: cred.id,
      name: 'Renamed by admin',
    });
    expectNoSecret(adminView, secret);

    // A consumer org (or any other tenant) cannot read the provider's credentials, nor touch them.
    const consumer = await member('OWNER', 'cons');
    await expectTrpcError(consumer.caller.ai.credentials({ orgSlug: owner.org.slug }), 'NOT_FOUND');
    expect((await consumer.caller.ai.credentials({ orgSlug: consumer.org.slug })).items).toEqual([]);
    await expectTrpcError(
      consumer.caller.ai.updateCredential({
        orgSlug: consumer.org.slug,
        credentialId: cred.id,
        name: 'Mine',
      }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      consumer.caller.ai.deleteCredential({ orgSlug: consumer.org.slug, credentialId: cred.id }),
      'NOT_FOUND',
    );
  });

  it('refuses to delete a credential a route uses, naming the API and route; deletes it once unused', async () => {
    const owner = await member('OWNER', 'aicred');
    const cred = await owner.caller.ai.createCredential({
      orgSlug: owner.org.slug,
      name: 'Used',
      provider: 'openai',
      secret: secretOf(),
    });
    const api = await aiApi(owner.caller, owner.org.slug);
    await owner.caller.ai.setAiConfig({
      orgSlug: owner.org.slug,
      apiId: api.id,
      config: { routes: [{ name: 'fast', targets: [{ credentialId: cred.id, model: 'gpt-4o-mini' }] }] },
    });
    const refused = await expectTrpcError(
      owner.caller.ai.deleteCredential({ orgSlug: owner.org.slug, credentialId: cred.id }),
      'CONFLICT',
    );
    expect(refused.message).toContain('LLM (route fast)');
    expect(refused.message).toMatch(/Remove it from those model routes and guardrails first/);

    await owner.caller.ai.setAiConfig({ orgSlug: owner.org.slug, apiId: api.id, config: { routes: [] } });
    await owner.caller.ai.deleteCredential({ orgSlug: owner.org.slug, credentialId: cred.id });
    expect(await db.providerCredential.count({ where: { id: cred.id } })).toBe(0);
    expect(await db.auditLog.count({ where: { targetId: cred.id, action: 'aiCredential.delete' } })).toBe(1);
  });

  it('refuses to delete a credential a moderation guardrail uses, naming the API and rule', async () => {
    const owner = await member('OWNER', 'aicred');
    const [routed, moderating] = await Promise.all(
      ['Routed', 'Moderating'].map((name) =>
        owner.caller.ai.createCredential({
          orgSlug: owner.org.slug,
          name,
          provider: 'openai',
          secret: secretOf(),
        }),
      ),
    );
    if (!routed || !moderating) throw new Error('credentials not created');
    const api = await aiApi(owner.caller, owner.org.slug);
    const moderation = {
      type: 'moderation',
      name: 'safety',
      stage: 'input',
      credentialId: moderating.id,
      model: 'omni-moderation-latest',
    };
    const target = { credentialId: routed.id, model: 'gpt-4o-mini' };
    await owner.caller.ai.setAiConfig({
      orgSlug: owner.org.slug,
      apiId: api.id,
      config: {
        routes: [{ name: 'fast', targets: [target], guardrails: [{ ...moderation, name: 'route-safety' }] }],
        guardrails: [moderation],
      },
    });
    const refused = await expectTrpcError(
      owner.caller.ai.deleteCredential({ orgSlug: owner.org.slug, credentialId: moderating.id }),
      'CONFLICT',
    );
    expect(refused.message).toContain('LLM (guardrail safety)');
    expect(refused.message).toContain('LLM (guardrail route-safety)');
    expect(await db.providerCredential.count({ where: { id: moderating.id } })).toBe(1);
  });
});
