import { randomUUID } from 'node:crypto';
import { providerCredentialContext } from '@portcullis/core/ai-config';
import { encryptSecret, generateEncryptionKey, parseEncryptionKey } from '@portcullis/core/crypto';
import type { Db } from '@portcullis/db';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import type { LogLevel } from '../src/log.ts';
import { startWorld, type TestWorld } from './harness.ts';

/** A gateway world for AI tests: an encryption key, and every log line kept (to look for secrets). */
export interface AiWorld extends TestWorld {
  encryptionKey: string;
  logLines: string[];
}

export async function startAiWorld(redis: boolean): Promise<AiWorld> {
  const encryptionKey = generateEncryptionKey();
  const logLines: string[] = [];
  const world = await startWorld({
    redis,
    encryptionKey,
    log: (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
      logLines.push(JSON.stringify({ level, message, ...fields }));
    },
    accessLog: (entry) => {
      logLines.push(JSON.stringify(entry));
    },
  });
  return { ...world, encryptionKey, logLines };
}

export interface SeedCredential {
  provider: string;
  baseUrl: string;
  secret: string;
  /** the credential's extra headers (Bedrock: its `aws-region` setting) */
  headers?: Record<string, string>;
  /** Azure's api-version; Vertex AI's region */
  apiVersion?: string;
}

export interface SeedPrice {
  provider: string;
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
  perImage?: string;
  perAudioSecond?: string;
  perCall?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  inputModalities?: string[];
  outputModalities?: string[];
}

/**
 * A published AI or PROMPT API with its provider credentials (encrypted like the portal stores them),
 * a plan (optionally with aiLimits) and a consumer key. `ai` gets the credential ids in seed order.
 */
export async function seedAiApi(
  world: AiWorld,
  options: {
    kind: 'AI' | 'PROMPT';
    credentials: SeedCredential[];
    ai: (credentialIds: string[]) => unknown;
    aiLimits?: unknown;
    prices?: SeedPrice[];
  },
) {
  const db: Db = world.db;
  const provider = await seedProviderWithApi(db, { upstreamUrl: 'http://127.0.0.1:9', rateLimit: 1000 });
  const key = parseEncryptionKey(world.encryptionKey);
  const ids: string[] = [];
  for (const [i, c] of options.credentials.entries()) {
    const id = randomUUID();
    ids.push(id);
    await db.providerCredential.create({
      data: {
        id,
        orgId: provider.org.id,
        name: `cred-${i}`,
        provider: c.provider,
        baseUrl: c.baseUrl,
        ...(c.headers ? { headers: c.headers } : {}),
        apiVersion: c.apiVersion ?? null,
        secretEncrypted: encryptSecret(c.secret, key, providerCredentialContext(id)),
        secretHint: c.secret.slice(-4),
      },
    });
  }
  for (const price of options.prices ?? []) {
    await db.aiModelPrice.create({ data: { orgId: provider.org.id, ...price } });
  }
  await db.api.update({
    where: { id: provider.api.id },
    data: { kind: options.kind, ai: options.ai(ids) as object },
  });
  if (options.aiLimits) {
    await db.plan.update({ where: { id: provider.plan.id }, data: { aiLimits: options.aiLimits as object } });
  }
  const consumer = await seedConsumerWithKey(db, provider.plan.id);
  const base = `${world.gateway.url}/${provider.org.slug}/${provider.api.slug}`;
  return { ...provider, consumer, credentialIds: ids, base };
}
