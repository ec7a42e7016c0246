import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { startGatewayStandin } from '../../../test/fakes/llm/gateway-standin.ts';
import { SseParser } from '../src/sse.ts';

/*
 * End-to-end added latency of a streamed completion: an upstream writes one OpenAI chunk every few
 * milliseconds and stamps each write; a client reads the stream straight from the upstream, then through
 * the stand-in gateway (validation, callProvider, translation, pipeOpenAIStream); per token, transit time
 * = received − written. Added latency = gateway transit − direct transit. One process, one clock.
 * Run: npx tsx packages/ai/bench/stream-latency.ts [tokens] [intervalMs]
 */

const TOKENS = Number(process.argv[2] ?? 400);
const INTERVAL_MS = Number(process.argv[3] ?? 2);

let sentAt: number[] = [];

const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    sentAt = [];
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const frame = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(frame({ role: 'assistant', content: '' }));
    let i = 0;
    const timer = setInterval(() => {
      if (i < TOKENS) {
        res.write(frame({ content: `t${i} ` }));
        sentAt[i] = performance.now();
        i++;
        return;
      }
      clearInterval(timer);
      res.write(frame({}, 'stop'));
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 3, completion_tokens: TOKENS, total_tokens: TOKENS + 3 } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    }, INTERVAL_MS);
  });
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
const gateway = await startGatewayStandin({
  bench: {
    provider: 'openai',
    model: 'gpt-4o-mini',
    credential: { apiKey: 'k', baseUrl: `${upstreamUrl}/v1` },
  },
});
const client = new Agent();

/** Streams one completion from `origin` and returns per-token transit times (ms). */
async function transit(origin: string, path: string, headers: Record<string, string>): Promise<number[]> {
  const received: number[] = [];
  const response = await client.request({
    origin,
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'go' }] }),
  });
  const parser = new SseParser((event) => {
    const match = /"content":"t(\d+) "/.exec(event.data);
    if (match) received[Number(match[1])] = performance.now();
  });
  for await (const bytes of response.body) parser.pushBytes(bytes as Buffer);
  parser.end();
  return received.map((at, i) => at - (sentAt[i] ?? at));
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0 };
};

// Warm both paths (JIT, keep-alive connections) before measuring.
await transit(upstreamUrl, '/v1/chat/completions', {});
await transit(gateway.url, '/v1/chat/completions', { authorization: `Bearer ${gateway.apiKey}` });
const direct: number[] = [];
const viaGateway: number[] = [];
for (let round = 0; round < 3; round++) {
  direct.push(...(await transit(upstreamUrl, '/v1/chat/completions', {})));
  viaGateway.push(
    ...(await transit(gateway.url, '/v1/chat/completions', { authorization: `Bearer ${gateway.apiKey}` })),
  );
}
const d = stats(direct);
const g = stats(viaGateway);
const f = (ms: number) => ms.toFixed(3);
console.log(`per-token transit, ${TOKENS} tokens every ${INTERVAL_MS} ms × 3 rounds (ms)`);
console.log('| path | p50 | p90 | p99 | max |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| direct | ${f(d.p50)} | ${f(d.p90)} | ${f(d.p99)} | ${f(d.max)} |`);
console.log(`| via gateway stand-in | ${f(g.p50)} | ${f(g.p90)} | ${f(g.p99)} | ${f(g.max)} |`);
console.log(`| added | ${f(g.p50 - d.p50)} | ${f(g.p90 - d.p90)} | ${f(g.p99 - d.p99)} | |`);
await gateway.close();
await client.close();
upstream.close();
