import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { providerCredentialContext } from '@portcullis/core/ai-config';
import { encryptSecret, generateEncryptionKey, parseEncryptionKey } from '@portcullis/core/crypto';
import type { Db } from '@portcullis/db';
import { request } from 'undici';
import { seedConsumerWithKey, seedProviderWithApi } from '../test/fixtures.ts';
import {
  freePort,
  REPO_ROOT,
  type RunningProcess,
  startBareProxy,
  startGateway,
  startMetering,
  startProcess,
} from './targets.ts';

/*
 * The AI section of `npm run bench`: added latency of a streamed chat completion through the
 * gateway — time to first token and total — against calling the local provider directly, and the same
 * figures for the Portkey gateway (`@portkey-ai/gateway`, its Node server) as the peer, and two floors:
 * the bare Node streaming proxy of the throughput section, without and with one Redis INCR + XADD per
 * call (what any Node gateway with exact shared limits pays at least). One client, requests interleaved
 * target by target so drift hits all alike, with a quiet gap after each; sequential, so each figure is
 * latency, not queueing.
 */

interface AiTargetResult {
  target: string;
  ttftP50Ms: number;
  ttftP99Ms: number;
  totalP50Ms: number;
  totalP99Ms: number;
  errors: number;
}

export interface AiBenchResult {
  requests: number;
  tokens: number;
  intervalMs: number;
  results: AiTargetResult[];
}

interface Options {
  db: Db;
  databaseUrl: string;
  redisUrl: string;
  targetPin: string[];
  helperPin: string[];
  requests?: number;
  log: (line: string) => void;
}

const TOKENS = 20;
const INTERVAL_MS = 2;
const WARMUP = 30;
const GAP_MS = 20;

interface Sample {
  ttftMs: number;
  totalMs: number;
}

/** One streamed completion: ms to the first content token (`t0 `) and to the end of the body. */
async function streamOnce(url: string, headers: Record<string, string>, model: string): Promise<Sample> {
  const started = performance.now();
  const { statusCode, body } = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Count.' }] }),
  });
  let ttftMs = -1;
  let text = '';
  for await (const part of body) {
    if (ttftMs < 0) {
      text += (part as Buffer).toString('utf8');
      if (text.includes('t0 ')) ttftMs = performance.now() - started;
    }
  }
  const totalMs = performance.now() - started;
  if (statusCode !== 200 || ttftMs < 0)
    throw new Error(`${url} answered ${statusCode}: ${text.slice(0, 300)}`);
  return { ttftMs, totalMs };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

export async function runAiBench(options: Options): Promise<AiBenchResult> {
  const requests = options.requests ?? 500;
  const llmPort = await freePort();
  const llm = await startProcess(
    'llm-upstream',
    [
      ...options.helperPin,
      process.execPath,
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench/llm-upstream.ts'),
      `--port=${llmPort}`,
      `--tokens=${TOKENS}`,
      `--interval-ms=${INTERVAL_MS}`,
    ],
    { ready: (log) => log.includes('ready'), url: `http://127.0.0.1:${llmPort}` },
  );
  const encryptionKey = generateEncryptionKey();
  const seeded = await seedAiApi(options.db, encryptionKey, `${llm.url}/v1`);
  const redisKeyPrefix = `portcullis-bench-ai:${randomBytes(4).toString('hex')}:`;
  const running: RunningProcess[] = [llm];
  try {
    const target = { databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, redisKeyPrefix };
    running.push(await startMetering(options.helperPin, target));
    const gateway = await startGateway(options.targetPin, { ...target, encryptionKey });
    running.push(gateway);
    const portkeyPort = await freePort();
    const portkey = await startProcess(
      'portkey',
      [
        ...options.targetPin,
        process.execPath,
        join(REPO_ROOT, 'bench/portkey-server.mjs'),
        `--port=${portkeyPort}`,
        '--headless',
      ],
      { ready: (log) => log.includes('running at'), url: `http://127.0.0.1:${portkeyPort}` },
    );
    running.push(portkey);
    // The floors: what any Node streaming proxy adds, without and with one Redis INCR + XADD per call.
    const bare = await startBareProxy(options.targetPin, llm.url);
    running.push(bare);
    const floor = await startBareProxy(options.targetPin, llm.url, options.redisUrl);
    running.push(floor);

    const targets: { name: string; url: string; headers: Record<string, string>; model: string }[] = [
      { name: 'direct (provider)', url: `${llm.url}/v1/chat/completions`, headers: {}, model: 'bench-model' },
      {
        name: 'gateway',
        url: `${gateway.url}${seeded.path}/v1/chat/completions`,
        headers: { authorization: `Bearer ${seeded.key}` },
        model: 'bench',
      },
      {
        name: 'bare proxy (Node floor)',
        url: `${bare.url}/v1/chat/completions`,
        headers: {},
        model: 'bench-model',
      },
      {
        name: 'bare proxy + Redis INCR/XADD',
        url: `${floor.url}/v1/chat/completions`,
        headers: {},
        model: 'bench-model',
      },
      {
        name: 'portkey',
        url: `${portkey.url}/v1/chat/completions`,
        headers: {
          authorization: 'Bearer sk-bench',
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `${llm.url}/v1`,
        },
        model: 'bench-model',
      },
    ];
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    const errors = new Map<string, number>(targets.map((t) => [t.name, 0]));
    for (let i = 0; i < WARMUP + requests; i++) {
      for (const t of targets) {
        try {
          const sample = await streamOnce(t.url, t.headers, t.model);
          if (i >= WARMUP) samples.get(t.name)?.push(sample);
        } catch (error) {
          if (i >= WARMUP) errors.set(t.name, (errors.get(t.name) ?? 0) + 1);
          if (i === 0) throw error; // a target that cannot answer at all is a setup error
        }
        // Quiet time, so what a target does after its response (logs, metering) is not billed to the
        // next target sharing its CPU; each target's own background work still lands on its own calls.
        await new Promise((resolve) => setTimeout(resolve, GAP_MS));
      }
    }
    const results = targets.map((t) => {
      const list = samples.get(t.name) ?? [];
      return {
        target: t.name,
        ttftP50Ms: percentile(
          list.map((s) => s.ttftMs),
          50,
        ),
        ttftP99Ms: percentile(
          list.map((s) => s.ttftMs),
          99,
        ),
        totalP50Ms: percentile(
          list.map((s) => s.totalMs),
          50,
        ),
        totalP99Ms: percentile(
          list.map((s) => s.totalMs),
          99,
        ),
        errors: errors.get(t.name) ?? 0,
      };
    });
    for (const r of results) {
      options.log(
        `${r.target}: ttft p50 ${r.ttftP50Ms.toFixed(2)} / p99 ${r.ttftP99Ms.toFixed(2)} ms, total p50 ${r.totalP50Ms.toFixed(2)} / p99 ${r.totalP99Ms.toFixed(2)} ms, errors ${r.errors}`,
      );
    }
    const metered = await options.db.usageRollup.aggregate({
      where: { subscriptionId: seeded.subscriptionId },
      _sum: { tokensOut: true },
    });
    options.log(`gateway metered ${metered._sum.tokensOut ?? 0n} completion tokens (warm-up + run)`);
    return { requests, tokens: TOKENS, intervalMs: INTERVAL_MS, results };
  } finally {
    for (const process of running.reverse()) await process.stop();
  }
}

/** A published AI API routing model `bench` to the local provider, and a consumer key for it. */
async function seedAiApi(db: Db, encryptionKey: string, providerBaseUrl: string) {
  const provider = await seedProviderWithApi(db, {
    upstreamUrl: 'http://127.0.0.1:9',
    rateLimit: 1_000_000_000,
    rateLimitWindowSeconds: 60,
    monthlyQuota: 2_000_000_000,
    requiresApproval: false,
  });
  const credentialId = randomUUID();
  await db.providerCredential.create({
    data: {
      id: credentialId,
      orgId: provider.org.id,
      name: 'bench',
      provider: 'openai',
      baseUrl: providerBaseUrl,
      secretEncrypted: encryptSecret(
        'sk-bench',
        parseEncryptionKey(encryptionKey),
        providerCredentialContext(credentialId),
      ),
      secretHint: 'ench',
    },
  });
  await db.aiModelPrice.create({
    data: {
      orgId: provider.org.id,
      provider: 'openai',
      model: 'bench-model',
      inputPerMillion: '0.15',
      outputPerMillion: '0.6',
    },
  });
  await db.api.update({
    where: { id: provider.api.id },
    data: {
      kind: 'AI',
      ai: { routes: [{ name: 'bench', targets: [{ credentialId, model: 'bench-model', weight: 1 }] }] },
    },
  });
  const consumer = await seedConsumerWithKey(db, provider.plan.id);
  return {
    path: `/${provider.org.slug}/${provider.api.slug}`,
    key: consumer.plaintext,
    subscriptionId: consumer.subscription.id,
  };
}
