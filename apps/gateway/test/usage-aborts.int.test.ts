import { request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { bearer, eventually, lazyBytes, MB } from './harness.ts';

/*
 * Every admitted request leaves exactly one usage event, whatever the client does: a client that
 * hangs up mid-download or mid-stream is metered (and an AI call billed with its tokens), one that
 * hangs up before the answer is recorded as 499, and the gateway's own refusals and responses the
 * upstream broke off are recorded but not billed. Both sinks: the Redis stream (durable, the event
 * normally leaves before the response's end) and the embedded meter.
 */

type Sent = { status: number; requestId: string };

/** GET that reads the head and `readBytes` of the body, then destroys the connection. */
function readThenHangUp(url: string, headers: Record<string, string>, readBytes: number): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= readBytes) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-request-id']) });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

/** GET that hangs up after `afterMs`, before any answer. */
function hangUpEarly(url: string, headers: Record<string, string>, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { headers }, () => reject());
    const reject = () => resolve();
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

/** POST with a chunked body of `bytes` (no Content-Length). */
function postChunked(url: string, headers: Record<string, string>, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    lazyBytes(bytes).pipe(req);
  });
}

for (const redis of [true, false]) {
  describe(`usage of requests that do not end normally (${redis ? 'Redis stream' : 'embedded meter'})`, () => {
    let world: AiWorld;
    let openaiFake: FakeLlm;
    let anthropicFake: FakeLlm;

    beforeAll(async () => {
      world = await startAiWorld(redis);
      openaiFake = await startFakeLlm({ flavor: 'openai', apiKey: 'sk-openai-abort' });
      anthropicFake = await startFakeLlm({ flavor: 'anthropic', apiKey: 'sk-ant-abort' });
    });
    afterAll(async () => {
      await world?.close();
      await openaiFake?.close();
      await anthropicFake?.close();
    });

    const restApi = async (policies?: { maxBodyBytes: number }) => {
      const provider = await seedProviderWithApi(world.db, {
        upstreamUrl: world.upstream.url,
        rateLimit: 1000,
      });
      if (policies) {
        await world.db.api.update({ where: { id: provider.api.id }, data: { policies } });
      }
      const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
      return {
        consumer,
        url: (rest: string) => `${world.gateway.url}/${provider.org.slug}/${provider.api.slug}${rest}`,
        headers: bearer(consumer.plaintext),
      };
    };

    /** The subscription's rollup totals once `requests` requests are in Postgres. */
    const rollupOf = async (subscriptionId: string, requests: number) => {
      const where = { subscriptionId };
      const sum = async () => {
        await world.usageSettled();
        const { _sum } = await world.db.usageRollup.aggregate({
          where,
          _sum: { requests: true, billable: true, tokensIn: true, tokensOut: true, costMicros: true },
        });
        return _sum;
      };
      await eventually(async () => Number((await sum()).requests ?? 0) >= requests, 5_000);
      const rows = await world.db.usageRollup.findMany({ where });
      return { ...(await sum()), statusClasses: [...new Set(rows.map((r) => r.statusClass))].sort() };
    };

    /** The usage of an AI API's one call, once billed and logged; billed exactly what its call log row says it used. */
    const billedAndLogged = async (seeded: {
      api: { id: string };
      consumer: { subscription: { id: string } };
    }) => {
      const totals = await rollupOf(seeded.consumer.subscription.id, 1);
      await eventually(async () => {
        await world.gateway.flushUsage();
        return (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id } })) > 0;
      }, 3_000);
      const logged = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id } });
      expect(totals).toMatchObject({
        requests: 1n,
        billable: 1n,
        tokensIn: BigInt(logged.tokensIn),
        tokensOut: BigInt(logged.tokensOut),
        costMicros: logged.costMicros,
      });
      return { logged };
    };

    it('bills a download the client hangs up on mid-body, under the request id the client saw', async () => {
      const { consumer, url, headers } = await restApi();
      const sent = await readThenHangUp(url(`/download?bytes=${50 * MB}`), headers, 64 * 1024);
      expect(sent.status).toBe(200);
      const totals = await rollupOf(consumer.subscription.id, 1);
      expect(totals).toMatchObject({ requests: 1n, billable: 1n, statusClasses: [2] });
      if (redis) {
        const event = await world.db.usageEvent.findFirstOrThrow({ where: { id: sent.requestId } });
        expect(event).toMatchObject({
          subscriptionId: consumer.subscription.id,
          status: 200,
          billable: true,
        });
      }
      await eventually(async () => {
        await world.gateway.flushUsage();
        const row = await world.db.requestLog.findFirst({ where: { appId: consumer.app.id } });
        return row?.status === 200 && row.errorCode === 'client_closed';
      }, 3_000);
    });

    it('records a client that hangs up before the answer as 499 client_closed', async () => {
      const { consumer, url, headers } = await restApi();
      await hangUpEarly(url('/slow'), headers, 300);
      const totals = await rollupOf(consumer.subscription.id, 1);
      // 499 is a client error: billed as the plan bills 4xx answers (default: everything below 500)
      expect(totals).toMatchObject({ requests: 1n, billable: 1n, statusClasses: [4] });
      await eventually(async () => {
        await world.gateway.flushUsage();
        const row = await world.db.requestLog.findFirst({ where: { appId: consumer.app.id } });
        return row?.status === 499 && row.errorCode === 'client_closed';
      }, 3_000);
    });

    it('records but does not bill a response the upstream broke off mid-body', async () => {
      const { consumer, url, headers } = await restApi();
      const outcome = await fetch(url('/break'), { headers }).then(
        (res) =>
          res.arrayBuffer().then(
            () => 'whole',
            () => 'cut',
          ),
        () => 'cut',
      );
      expect(outcome).toBe('cut');
      const totals = await rollupOf(consumer.subscription.id, 1);
      expect(totals).toMatchObject({ requests: 1n, billable: 0n });
    });

    it('does not bill a chunked body refused as too large, like a declared one', async () => {
      const { consumer, url, headers } = await restApi({ maxBodyBytes: 10_000 });
      expect(await postChunked(url('/upload'), headers, 200_000)).toBe(413);
      const declared = await fetch(url('/upload'), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(20_000),
      });
      expect(declared.status).toBe(413);
      const totals = await rollupOf(consumer.subscription.id, 1);
      // the chunked one was admitted (so it is recorded), the declared one refused before the key
      expect(totals).toMatchObject({ requests: 1n, billable: 0n, statusClasses: [4] });
    });

    it('bills an OpenAI-surface stream the client aborts, with its tokens and cost', async () => {
      const seeded = await seedAiApi(world, {
        kind: 'AI',
        credentials: [{ provider: 'openai', baseUrl: openaiFake.baseUrl, secret: 'sk-openai-abort' }],
        ai: ([id]) => ({
          routes: [{ name: 'alias', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }],
        }),
        prices: [
          { provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '1000', outputPerMillion: '2000' },
        ],
      });
      openaiFake.configure({
        tokenDelayMs: 40,
        reply: 'one two three four five six seven eight nine ten eleven',
      });
      const client = new OpenAI({
        apiKey: seeded.consumer.plaintext,
        baseURL: `${seeded.base}/v1`,
        maxRetries: 0,
      });
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model: 'alias', messages: [{ role: 'user', content: 'count for me please' }], stream: true },
        { signal: controller.signal },
      );
      let words = 0;
      await (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content && ++words === 4) controller.abort();
        }
      })().catch(() => undefined);
      const { logged } = await billedAndLogged(seeded);
      expect(logged.status).toBe(499);
      expect(logged.tokensOut).toBeGreaterThan(0);
      expect(logged.costMicros).toBeGreaterThan(0n);
    });

    it('bills a Messages-surface stream from an Anthropic target the client aborts', async () => {
      const seeded = await seedAiApi(world, {
        kind: 'AI',
        credentials: [{ provider: 'anthropic', baseUrl: anthropicFake.baseUrl, secret: 'sk-ant-abort' }],
        ai: ([id]) => ({
          routes: [{ name: 'claude', targets: [{ credentialId: id, model: 'claude-sonnet-4-5' }] }],
        }),
        prices: [
          {
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            inputPerMillion: '3000',
            outputPerMillion: '15000',
          },
        ],
      });
      anthropicFake.configure({
        tokenDelayMs: 40,
        reply: 'alpha beta gamma delta epsilon zeta eta theta iota',
      });
      const client = new Anthropic({
        apiKey: seeded.consumer.plaintext,
        baseURL: seeded.base,
        maxRetries: 0,
      });
      const stream = client.messages.stream({
        model: 'claude',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'say the greek letters' }],
      });
      let deltas = 0;
      stream.on('text', () => {
        if (++deltas === 3) stream.abort();
      });
      await stream.done().catch(() => undefined);
      const { logged } = await billedAndLogged(seeded);
      expect(logged.status).toBe(499);
      // the provider's own input count from message_start, not an estimate
      expect(logged.tokensIn).toBe(countWords(['say the greek letters']));
      expect(logged.tokensOut).toBeGreaterThan(0);
    });

    it('does not bill an AI request whose chunked body is refused as too large', async () => {
      const seeded = await seedAiApi(world, {
        kind: 'AI',
        credentials: [{ provider: 'openai', baseUrl: openaiFake.baseUrl, secret: 'sk-openai-abort' }],
        ai: ([id]) => ({
          routes: [{ name: 'alias', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }],
        }),
      });
      await world.db.api.update({
        where: { id: seeded.api.id },
        data: { policies: { maxBodyBytes: 10_000 } },
      });
      const status = await postChunked(
        `${seeded.base}/v1/chat/completions`,
        bearer(seeded.consumer.plaintext),
        4 * MB,
      );
      expect(status).toBe(413);
      const totals = await rollupOf(seeded.consumer.subscription.id, 1);
      expect(totals).toMatchObject({ requests: 1n, billable: 0n, statusClasses: [4] });
    });

    it('completes a non-streamed call whose client hangs up, and bills what the provider used', async () => {
      const seeded = await seedAiApi(world, {
        kind: 'AI',
        credentials: [{ provider: 'openai', baseUrl: openaiFake.baseUrl, secret: 'sk-openai-abort' }],
        ai: ([id]) => ({
          routes: [{ name: 'alias', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }],
        }),
        prices: [
          { provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '1000', outputPerMillion: '2000' },
        ],
      });
      const reply = 'a long and expensive answer';
      openaiFake.configure({ latencyMs: 600, tokenDelayMs: 0, reply });
      try {
        const client = new OpenAI({
          apiKey: seeded.consumer.plaintext,
          baseURL: `${seeded.base}/v1`,
          maxRetries: 0,
        });
        const prompt = 'please think hard about this';
        const abandoned = await client.chat.completions
          .create(
            { model: 'alias', messages: [{ role: 'user', content: prompt }] },
            { signal: AbortSignal.timeout(150) },
          )
          .then(
            () => 'answered',
            () => 'abandoned',
          );
        expect(abandoned).toBe('abandoned');
        const totals = await rollupOf(seeded.consumer.subscription.id, 1);
        expect(totals).toMatchObject({
          requests: 1n,
          billable: 1n,
          tokensIn: BigInt(countWords([prompt])),
          tokensOut: BigInt(countWords([reply])),
        });
        expect(totals.costMicros).toBeGreaterThan(0n);
        await eventually(async () => {
          await world.gateway.flushUsage();
          const row = await world.db.requestLog.findFirst({ where: { appId: seeded.consumer.app.id } });
          return row?.errorCode === 'client_closed';
        }, 3_000);
      } finally {
        openaiFake.configure({ latencyMs: 0 });
      }
    });
  });
}
